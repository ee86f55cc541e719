"""From invoice XML to what the inbox stores: syntax, profile, supplier identifiers, validation report.

Parsing goes through the domain parsers (they refuse DTDs, entities, oversize, malformed and
truncated input); validation through the official artefacts. Validation fails closed: when the
artefacts are missing or the validator breaks, the report says it could not run and the invoice
goes to review, it is never marked valid.
"""

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from facturier.domain.en16931.codes import Profile, profile_for_guideline
from facturier.domain.en16931.model import Invoice, Seller
from facturier.domain.formats import InvoiceParseError, detect_and_parse, detect_syntax
from facturier.domain.identifiers import (
    InvalidIdentifier,
    siren_from_vat,
    validate_siren,
    validate_vat_number,
)
from facturier.domain.validation import (
    ArtefactMissing,
    ArtefactStore,
    Finding,
    ValidationReport,
    validate_xml,
)
from facturier.domain.validation.artefacts import INSTALL_COMMAND
from facturier.inbox import errors, messages
from facturier.inbox.errors import InboxImportError
from facturier.inbox.models import ReceivedFormat, ValidationOutcome

logger = logging.getLogger(__name__)

_SYNTAX_FORMATS = {
    "cii": ReceivedFormat.CII,
    "ubl-invoice": ReceivedFormat.UBL_INVOICE,
    "ubl-creditnote": ReceivedFormat.UBL_CREDIT_NOTE,
}


@dataclass(frozen=True)
class ParsedDocument:
    invoice: Invoice
    syntax: str  # "cii" or "ubl"
    format: str  # a ReceivedFormat value (before the PDF wrapper is taken into account)
    profile: str  # a Profile value, or "" when BT-24 names a specification we do not know


def parse_document(xml: bytes, *, max_bytes: int) -> ParsedDocument:
    """Parse received XML; any refusal of the domain parser becomes a clear InboxImportError."""
    try:
        syntax = detect_syntax(xml, max_bytes=max_bytes)
        invoice = detect_and_parse(xml, max_bytes=max_bytes)
    except InvoiceParseError as exc:
        raise InboxImportError(
            _("This file is not a readable e-invoice: %(error)s") % {"error": exc},
            code=errors.UNREADABLE_INVOICE,
        ) from exc
    except (RecursionError, MemoryError) as exc:  # pathological nesting: refuse, never crash
        raise InboxImportError(
            _("This file is not a readable e-invoice: its structure is too deep."),
            code=errors.UNREADABLE_INVOICE,
        ) from exc
    profile = profile_for_guideline(invoice.specification_identifier)
    return ParsedDocument(
        invoice=invoice,
        syntax="cii" if syntax == "cii" else "ubl",
        format=_SYNTAX_FORMATS[syntax],
        profile=profile.value if profile else "",
    )


# --- supplier identifiers -------------------------------------------------------------------------


@dataclass(frozen=True)
class SellerIds:
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    registration_id: str = ""
    registration_scheme: str = ""


def _valid_siren(value: str) -> str:
    try:
        return validate_siren(value)
    except InvalidIdentifier:
        return ""


def seller_ids(seller: Seller) -> SellerIds:
    """SIREN from BT-30 (scheme 0002 SIREN / 0009 SIRET, or a bare 9/14-digit French number),
    else from a French VAT number (BT-31); the VAT number compacted when it is a valid EU one."""
    siren = siret = registration_id = registration_scheme = ""
    candidates = [seller.legal_registration_id, *seller.identifiers]
    for identifier in candidates:
        if identifier is None:
            continue
        value = identifier.value.replace(" ", "")
        scheme = identifier.scheme_id or ""
        if identifier is seller.legal_registration_id:
            registration_id, registration_scheme = identifier.value[:50], scheme[:10]
        if scheme not in ("", "0002", "0009") or not value.isdigit():
            continue
        if len(value) == 14 and not siret:
            siret = value
        if len(value) in (9, 14) and not siren:
            siren = _valid_siren(value[:9])
    vat = (seller.vat_id or "").replace(" ", "").upper()
    try:
        vat = validate_vat_number(vat) if vat else ""
    except InvalidIdentifier:
        vat = vat[:20]
    if not siren and vat:
        siren = _valid_siren(siren_from_vat(vat) or "")
    if siret and siret[:9] != siren:
        siret = ""
    return SellerIds(siren, siret, vat[:20], registration_id, registration_scheme)


# --- validation -----------------------------------------------------------------------------------


def artefact_store() -> ArtefactStore:
    """Installed artefacts (``facturier conformance install``), or ``FACTURIER_CONFORMANCE_DIR``."""
    configured = getattr(settings, "FACTURIER_CONFORMANCE_DIR", None)
    if configured:
        return ArtefactStore(Path(configured))
    return ArtefactStore.for_data_dir(Path(settings.DATA_DIR))


def _inbox_finding(rule_id: str, severity: str, message_id: str, **params: Any) -> dict[str, Any]:
    return {
        "rule_id": rule_id,
        "severity": severity,
        "location": "/",
        **messages.message_fields(message_id, **params),
        "source": "inbox",
        "line": None,
        "assertion_id": None,
    }


def profile_findings(parsed: ParsedDocument) -> list[dict[str, Any]]:
    """The reform accepts EN 16931 and EXTENDED (BASIC WL tolerated); MINIMUM is not an invoice."""
    if parsed.profile == Profile.MINIMUM:
        return [
            _inbox_finding(
                "INBOX-PROFILE",
                "error",
                messages.MINIMUM_NOT_INVOICE,
            )
        ]
    if parsed.profile == Profile.BASIC_WL:
        return [
            _inbox_finding(
                "INBOX-PROFILE",
                "warning",
                messages.BASIC_WL_TOLERATED,
            )
        ]
    if not parsed.profile:
        return [
            _inbox_finding(
                "INBOX-PROFILE",
                "warning",
                messages.UNKNOWN_SPECIFICATION,
                value=repr(parsed.invoice.specification_identifier),
            )
        ]
    return []


def pdf_findings(parsed: ParsedDocument, conformance_level: str | None) -> list[dict[str, Any]]:
    """The PDF's XMP must announce the profile its XML really follows (a wrong profile misleads checks)."""
    if conformance_level is None:
        return [
            _inbox_finding(
                "INBOX-PDF-XMP",
                "warning",
                messages.PDF_NO_LEVEL,
            )
        ]
    declared = conformance_level.upper().replace(" ", "").replace("-", "").replace("_", "")
    if parsed.profile and declared != parsed.profile.replace("-", ""):
        return [
            _inbox_finding(
                "INBOX-PDF-PROFILE",
                "warning",
                messages.PDF_WRONG_PROFILE,
                declared=repr(conformance_level),
                profile=parsed.profile,
            )
        ]
    return []


def buyer_findings(invoice: Invoice, *, entity_siren: str, entity_vat: str) -> list[dict[str, Any]]:
    """A received invoice addressed to another company must not be booked without a look."""
    buyer = invoice.buyer
    ids = {(buyer.vat_id or "").replace(" ", "").upper()}
    if buyer.legal_registration_id is not None:
        ids.add(buyer.legal_registration_id.value.replace(" ", "")[:9])
    ids.discard("")
    ours = {entity_siren, entity_vat.replace(" ", "").upper()} - {""}
    if not ids or not ours:
        return []
    if ids & ours or any(siren_from_vat(i) == entity_siren for i in ids):
        return []
    return [
        _inbox_finding(
            "INBOX-BUYER",
            "warning",
            messages.OTHER_BUYER,
            name=buyer.name,
            ids=", ".join(sorted(ids)),
        )
    ]


def run_validation(xml: bytes, parsed: ParsedDocument) -> tuple[str, dict[str, Any]]:
    """(ValidationOutcome, report dict). Never raises: a validator that cannot run says so."""
    rules = ["xsd", "en16931", "br-fr"]
    if parsed.syntax == "ubl" and parsed.profile == Profile.PEPPOL_BIS_3:
        rules.append("peppol")
    try:
        report: ValidationReport = validate_xml(
            xml,
            syntax="cii" if parsed.syntax == "cii" else "ubl",
            profile="auto" if parsed.syntax == "cii" else None,
            rules=rules,
            store=artefact_store(),
        )
    except Exception as exc:  # noqa: BLE001 - ArtefactMissing, Saxon errors: fail closed, keep the file
        logger.warning("validation of a received invoice could not run: %s", exc)
        text = (
            messages.message_fields(messages.RULES_NOT_INSTALLED, command=INSTALL_COMMAND)
            if isinstance(exc, ArtefactMissing)
            else messages.message_fields(messages.VALIDATION_NOT_RUN, reason=exc)
        )
        failure = Finding(
            rule_id="VALIDATION-NOT-RUN",
            severity="fatal",
            location="/",
            message=text["message"],
            source="inbox",
        )
        return ValidationOutcome.NOT_RUN, {
            "ran": False,
            "is_valid": False,
            "artefacts": [],
            "error_count": 1,
            "warning_count": 0,
            "findings": [{**failure.to_dict(), **text, "detail": str(exc)}],
        }
    data = report.to_dict()
    data["ran"] = True
    return (ValidationOutcome.VALID if report.is_valid else ValidationOutcome.INVALID), data


def add_findings(report: dict[str, Any], extra: list[dict[str, Any]]) -> dict[str, Any]:
    findings = [*report.get("findings", []), *extra]
    errors_ = [f for f in findings if f["severity"] in ("fatal", "error")]
    warnings = [f for f in findings if f["severity"] == "warning"]
    return {
        **report,
        "findings": findings,
        "error_count": len(errors_),
        "warning_count": len(warnings),
        "is_valid": report.get("ran", False) and not errors_,
    }

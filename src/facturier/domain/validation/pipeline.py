"""The validation pipeline: which official artefacts apply to a document, run in order.

| rule set          | CII (Factur-X)                        | UBL 2.1                                        |
|-------------------|---------------------------------------|------------------------------------------------|
| ``xsd``           | CII D16B uncoupled                    | UBL maindoc chosen by the root element         |
| ``xsd-d22b``      | CII D22B uncoupled (XP Z12-012)       | --                                             |
| ``en16931``       | EN16931-CII-validation.xslt           | EN16931-UBL-validation.xslt                    |
| ``br-fr``         | BR-FR-Flux2-Schematron-CII.xslt       | BR-FR-Flux2-Schematron-UBL.xslt                |
| ``extended-ctc-fr`` | EXTENDED-CTC-FR-CII.xslt            | EXTENDED-CTC-FR-UBL.xslt                       |
| ``peppol``        | --                                    | CEN-EN16931-UBL + PEPPOL-EN16931-UBL (or -SB), |
|                   |                                       | T111 / T71 for ApplicationResponse             |
| ``profile=``      | Factur-X profile XSD + XSLT           | --                                             |

Every artefact is located before anything runs, so a missing file raises
:class:`~facturier.domain.validation.artefacts.ArtefactMissing` instead of a partial "valid".
Problems with the document itself (DOCTYPE, not well-formed, wrong root, rule set that does not
apply) are fatal findings, so callers get one report shape for every bad input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

from facturier.domain.validation.artefacts import FACTURX_PROFILES, UBL_DOCUMENTS, ArtefactStore
from facturier.domain.validation.findings import Finding, ValidationReport
from facturier.domain.validation.schematron import XsltInput, run_schematrons
from facturier.domain.validation.secure_xml import (
    MalformedXmlError,
    UnsafeXmlError,
    parse_secure,
    serialize_for_xslt,
)
from facturier.domain.validation.xsd import validate_xsd

__all__ = [
    "DEFAULT_RULES",
    "RULE_SETS",
    "Syntax",
    "detect_facturx_profile",
    "ValidationStep",
    "plan_validation",
    "validate_cdar",
    "validate_xml",
]

Syntax = Literal["cii", "ubl"]
RULE_SETS = ("xsd", "xsd-d22b", "en16931", "br-fr", "extended-ctc-fr", "peppol")
DEFAULT_RULES: tuple[str, ...] = ("xsd", "en16931", "br-fr")

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
CDAR_NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"
_RAM_NS = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
_CBC_NS = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_UBL_ROOTS = {f"{{urn:oasis:names:specification:ubl:schema:xsd:{d}-2}}{d}": d for d in UBL_DOCUMENTS}
_UBL_INVOICES = frozenset({"Invoice", "CreditNote"})

# BT-24 specification identifiers of the Factur-X 1.0x profiles.
_FACTURX_GUIDELINES = {
    "urn:factur-x.eu:1p0:minimum": "MINIMUM",
    "urn:factur-x.eu:1p0:basicwl": "BASICWL",
    "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic": "BASIC",
    "urn:cen.eu:en16931:2017": "EN16931",
    "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended": "EXTENDED",
}


@dataclass(frozen=True)
class ValidationStep:
    kind: Literal["xsd", "xslt"]
    key: str
    source: str


def _fatal(rule_id: str, message: str, source: str = "pipeline", line: int | None = None) -> Finding:
    return Finding(rule_id=rule_id, severity="fatal", location="/", message=message, source=source, line=line)


def _normalise_profile(profile: str) -> str:
    cleaned = profile.strip().upper().replace("-", "").replace("_", "").replace(" ", "")
    if cleaned not in FACTURX_PROFILES and cleaned != "AUTO":
        raise ValueError(
            f"Unknown Factur-X profile {profile!r}; expected one of {FACTURX_PROFILES} or 'auto'"
        )
    return cleaned


def detect_facturx_profile(tree: etree._ElementTree) -> str | None:
    """The Factur-X profile named by BT-24 (GuidelineSpecifiedDocumentContextParameter), if any."""
    guideline = tree.getroot().findtext(
        f"{{{CII_NS}}}ExchangedDocumentContext/{{{_RAM_NS}}}GuidelineSpecifiedDocumentContextParameter/{{{_RAM_NS}}}ID"
    )
    return _FACTURX_GUIDELINES.get((guideline or "").strip())


def _ubl_customization(tree: etree._ElementTree) -> str:
    return (tree.getroot().findtext(f"{{{_CBC_NS}}}CustomizationID") or "").strip()


def _cii_steps(rules: Sequence[str], profile: str | None) -> list[ValidationStep]:
    steps: list[ValidationStep] = []
    if "xsd" in rules:
        steps.append(ValidationStep("xsd", "xsd/cii-d16b", "xsd"))
    if "xsd-d22b" in rules:
        steps.append(ValidationStep("xsd", "xsd/cii-d22b", "xsd-d22b"))
    if profile is not None:
        steps.append(ValidationStep("xsd", f"xsd/facturx/{profile}", f"xsd-facturx-{profile}"))
        steps.append(ValidationStep("xslt", f"xslt/facturx/{profile}", f"facturx-{profile}"))
    if "en16931" in rules:
        steps.append(ValidationStep("xslt", "xslt/en16931-cii", "en16931-cii"))
    if "extended-ctc-fr" in rules:
        steps.append(ValidationStep("xslt", "xslt/extended-ctc-fr-cii", "extended-ctc-fr"))
    if "br-fr" in rules:
        steps.append(ValidationStep("xslt", "xslt/br-fr-cii", "br-fr"))
    return steps


def _ubl_steps(
    rules: Sequence[str], document: str, customization: str
) -> tuple[list[ValidationStep], list[Finding]]:
    steps: list[ValidationStep] = []
    problems: list[Finding] = []
    is_invoice = document in _UBL_INVOICES
    if "xsd" in rules:
        steps.append(ValidationStep("xsd", f"xsd/ubl/{document}", "xsd"))
    for rule_set, key in (
        ("en16931", "xslt/en16931-ubl"),
        ("extended-ctc-fr", "xslt/extended-ctc-fr-ubl"),
        ("br-fr", "xslt/br-fr-ubl"),
    ):
        if rule_set not in rules:
            continue
        if is_invoice:
            source = "en16931-ubl" if rule_set == "en16931" else rule_set
            steps.append(ValidationStep("xslt", key, source))
        else:
            problems.append(
                _fatal("DOCUMENT-TYPE", f"The {rule_set} rules apply to invoices, not to {document}")
            )
    if "peppol" in rules:
        if is_invoice:
            peppol_key = "xslt/peppol-ubl-sb" if "selfbilling" in customization else "xslt/peppol-ubl"
            steps += [
                ValidationStep("xslt", "xslt/peppol-cen-ubl", "peppol-cen"),
                ValidationStep("xslt", peppol_key, "peppol"),
            ]
        elif document == "ApplicationResponse":
            response_key = "xslt/peppol-t71" if ":mlr:" in customization else "xslt/peppol-t111"
            steps.append(ValidationStep("xslt", response_key, "peppol"))
        else:
            problems.append(_fatal("DOCUMENT-TYPE", f"No PEPPOL rules exist for a UBL {document}"))
    return steps, problems


def plan_validation(
    tree: etree._ElementTree, *, syntax: Syntax | None, profile: str | None, rules: Sequence[str]
) -> tuple[list[ValidationStep], list[Finding]]:
    """Steps to run on this document, and findings for what cannot apply to it."""
    root_tag = tree.getroot().tag
    if root_tag == f"{{{CII_NS}}}CrossIndustryInvoice":
        detected: Syntax = "cii"
    elif root_tag in _UBL_ROOTS:
        detected = "ubl"
    else:
        return [], [_fatal("XML-ROOT", f"Not a CII or UBL 2.1 document (root element {root_tag})")]
    if syntax is not None and syntax != detected:
        return [], [_fatal("XML-SYNTAX", f"Expected a {syntax.upper()} document, got {detected.upper()}")]
    if detected == "ubl":
        if profile is not None and profile != "AUTO":
            return [], [_fatal("FACTURX-PROFILE", "Factur-X profiles apply to CII documents only")]
        return _ubl_steps(rules, _UBL_ROOTS[root_tag], _ubl_customization(tree))
    if "peppol" in rules:
        return [], [_fatal("DOCUMENT-TYPE", "No compiled PEPPOL rules exist for CII documents")]
    if profile == "AUTO":
        profile = detect_facturx_profile(tree)
    return _cii_steps(rules, profile), []


def _run(tree: etree._ElementTree, steps: list[ValidationStep], store: ArtefactStore) -> ValidationReport:
    paths: dict[str, Path] = {step.key: store.path(step.key) for step in steps}  # fail closed first
    findings: list[Finding] = []
    document: XsltInput | None = None
    pending: list[tuple[Path, str]] = []  # consecutive schematrons: run as one (run_schematrons)
    for step in [*steps, None]:
        if pending and (step is None or step.kind == "xsd"):
            document = document if document is not None else XsltInput(serialize_for_xslt(tree))
            findings += run_schematrons(document, pending)
            pending = []
        if step is None:
            break
        if step.kind == "xsd":
            findings += validate_xsd(tree, paths[step.key], source=step.source)
        else:
            pending.append((paths[step.key], step.source))
    return ValidationReport(tuple(findings), tuple(step.source for step in steps))


def _parse(xml: bytes) -> etree._ElementTree | Finding:
    try:
        return parse_secure(xml)
    except UnsafeXmlError as exc:
        return _fatal("XML-DOCTYPE", str(exc))
    except MalformedXmlError as exc:
        return _fatal("XML-WELL-FORMED", str(exc), line=exc.line)


def validate_xml(
    xml: bytes,
    *,
    syntax: Syntax | None = None,
    profile: str | None = None,
    rules: Sequence[str] = DEFAULT_RULES,
    store: ArtefactStore,
) -> ValidationReport:
    """Validate an e-invoice (CII/Factur-X or UBL 2.1) against the official artefacts.

    ``syntax`` is detected from the root element when None (and checked when given).
    ``profile`` adds the Factur-X profile XSD + schematron (``"EN16931"``, ``"EXTENDED"``, ...;
    ``"auto"`` reads BT-24). ``rules`` picks rule sets among :data:`RULE_SETS`.
    Raises ``ArtefactMissing`` when an artefact is not installed, ``ValueError`` for bad arguments.
    """
    unknown = sorted(set(rules) - set(RULE_SETS))
    if unknown:
        raise ValueError(f"Unknown rule sets {unknown}; expected some of {RULE_SETS}")
    normalised_profile = _normalise_profile(profile) if profile is not None else None
    parsed = _parse(xml)
    if isinstance(parsed, Finding):
        return ValidationReport((parsed,), ())
    steps, problems = plan_validation(parsed, syntax=syntax, profile=normalised_profile, rules=rules)
    if not steps and not problems:
        problems = [_fatal("NO-RULES", "No validation rule set was selected for this document")]
    return ValidationReport(tuple(problems), ()).merged(_run(parsed, steps, store))


def validate_cdar(
    xml: bytes, store: ArtefactStore, *, rules: Sequence[str] = ("xsd", "br-fr")
) -> ValidationReport:
    """Validate a lifecycle status message (CDAR D22B, XP Z12-012): XSD + BR-FR-CDV rules."""
    unknown = sorted(set(rules) - {"xsd", "br-fr"})
    if unknown:
        raise ValueError(f"Unknown CDAR rule sets {unknown}; expected 'xsd' and/or 'br-fr'")
    parsed = _parse(xml)
    if isinstance(parsed, Finding):
        return ValidationReport((parsed,), ())
    root_tag = parsed.getroot().tag
    if root_tag != f"{{{CDAR_NS}}}CrossDomainAcknowledgementAndResponse":
        return ValidationReport((_fatal("XML-ROOT", f"Not a CDAR lifecycle message (root {root_tag})"),), ())
    steps = [ValidationStep("xsd", "xsd/cdar", "xsd-cdar")] if "xsd" in rules else []
    if "br-fr" in rules:
        steps.append(ValidationStep("xslt", "xslt/cdar-br-fr", "br-fr-cdar"))
    return _run(parsed, steps, store)

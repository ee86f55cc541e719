"""Structured validation results: one :class:`Finding` per failed check, gathered in a report.

Every validator (XSD, CEN EN 16931, FNFE BR-FR, PEPPOL, Factur-X profiles) speaks a slightly
different dialect of SVRL; this module is the one place that turns them into the same value so
the rest of Facturier (API problem details, UI, transmission gates) never parses SVRL itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lxml import etree

__all__ = [
    "ERROR_SEVERITIES",
    "Finding",
    "Severity",
    "ValidationReport",
    "findings_from_svrl",
    "simplify_location",
]

Severity = Literal["fatal", "error", "warning", "info"]
ERROR_SEVERITIES: frozenset[Severity] = frozenset({"fatal", "error"})

SVRL_NS = "http://purl.oclc.org/dsdl/svrl"

# The schematron flag attribute is free text; map the spellings found in the official artefacts.
# Anything unknown counts as an error: validation fails closed.
_FLAG_TO_SEVERITY: dict[str, Severity] = {
    "fatal": "fatal",
    "error": "error",
    "warning": "warning",
    "warn": "warning",
    "info": "info",
    "information": "info",
}

# "[BR-CO-27]-Either the IBAN ..." (CEN, PEPPOL, Factur-X): the rule id opens the message.
_BRACKETED_ID = re.compile(r"^\s*\[(?P<id>[A-Za-z0-9][A-Za-z0-9_.\-/]*)\]\s*[-:]?\s*")
# "BR-FR-08/BT-23 : La valeur ..." (FNFE): the rule reference opens the message, without brackets.
_LEADING_BR_FR_REFERENCE = re.compile(r"^\s*BR-FR[A-Za-z0-9_\-/]*\s*:\s*")
# SVRL locations qualify every step with its namespace URI; drop it to keep a readable XPath.
_NAMESPACE_PREDICATE = re.compile(r"\[namespace-uri\(\)='[^']*'\]")


@dataclass(frozen=True)
class Finding:
    """One failed check.

    ``rule_id`` is the normative rule (``BR-CO-10``, ``BR-FR-08_BT-23``, ``PEPPOL-EN16931-R001``);
    ``assertion_id`` keeps the artefact's internal id when it differs (Factur-X ``FX-SCH-A-000132``).
    ``location`` is an XPath to the offending node; ``line`` is set when the parser knows it (XSD).
    """

    rule_id: str
    severity: Severity
    location: str
    message: str
    source: str
    line: int | None = None
    assertion_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.severity in ERROR_SEVERITIES

    def to_dict(self) -> dict[str, str | int | None]:
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "location": self.location,
            "message": self.message,
            "source": self.source,
            "line": self.line,
            "assertion_id": self.assertion_id,
        }


@dataclass(frozen=True)
class ValidationReport:
    """Everything the pipeline found, and which artefacts it ran (so "valid" is never vacuous)."""

    findings: tuple[Finding, ...]
    artefacts: tuple[str, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "warning")

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error_rule_ids(self, source: str | None = None) -> frozenset[str]:
        """Rule ids of fatal/error findings, optionally from one artefact only."""
        return frozenset(f.rule_id for f in self.errors if source is None or f.source == source)

    def warning_rule_ids(self, source: str | None = None) -> frozenset[str]:
        return frozenset(f.rule_id for f in self.warnings if source is None or f.source == source)

    def merged(self, other: ValidationReport) -> ValidationReport:
        return ValidationReport(self.findings + other.findings, self.artefacts + other.artefacts)

    def to_dict(self) -> dict[str, object]:
        return {
            "is_valid": self.is_valid,
            "artefacts": list(self.artefacts),
            "error_count": len(self.errors),
            "warning_count": len(self.warnings),
            "findings": [f.to_dict() for f in self.findings],
        }


def _plain_words(text: str) -> str:
    return " ".join(text.split())


def simplify_location(location: str) -> str:
    """``/*:Invoice[namespace-uri()='urn:...'][1]/*:ID[...][1]`` -> ``/*:Invoice[1]/*:ID[1]``."""
    return _NAMESPACE_PREDICATE.sub("", location) if "[namespace-uri()=" in location else location


def _severity_of(flag: str | None) -> Severity:
    if flag is None or not flag.strip():
        return "error"  # Factur-X profile XSLTs carry no flag: every assertion is an error.
    return _FLAG_TO_SEVERITY.get(flag.strip().lower(), "error")


def _finding_from_assertion(element: etree._Element, source: str) -> Finding:
    text_element = element.find(f"{{{SVRL_NS}}}text")
    raw_text = "".join(text_element.itertext()) if text_element is not None else ""
    attribute_id = element.get("id")
    match = _BRACKETED_ID.match(raw_text)
    if match:
        rule_id = match.group("id")
        message = _plain_words(raw_text[match.end() :])
        assertion_id = attribute_id if attribute_id and attribute_id != rule_id else None
    else:
        rule_id = attribute_id or "UNIDENTIFIED-ASSERTION"
        message = _plain_words(_LEADING_BR_FR_REFERENCE.sub("", raw_text, count=1))
        assertion_id = None
    return Finding(
        rule_id=rule_id,
        severity=_severity_of(element.get("flag")),
        location=simplify_location(element.get("location", "")),
        message=message or f"Assertion failed: {_plain_words(element.get('test', ''))}",
        source=source,
        assertion_id=assertion_id,
    )


def findings_from_svrl(
    svrl: bytes, source: str, *, source_of: Callable[[etree._Element], str] | None = None
) -> tuple[Finding, ...]:
    """Read an SVRL report: every ``failed-assert`` and ``successful-report`` is a finding.

    Factur-X profile schematrons express some rules as ``report`` (fires when the bad case is
    present), so successful reports count exactly like failed assertions. ``source_of`` names the
    source of each assertion when the report is that of several merged stylesheets.
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    root = etree.fromstring(svrl, parser)
    kinds = (f"{{{SVRL_NS}}}failed-assert", f"{{{SVRL_NS}}}successful-report")
    if source_of is not None:  # one report of several merged stylesheets
        return tuple(_finding_from_assertion(element, source_of(element)) for element in root.iter(*kinds))
    return tuple(_finding_from_assertion(element, source) for element in root.iter(*kinds))

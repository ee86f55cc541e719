"""Our pipeline agrees with the expected-results table of ../shared/conformance.

BASELINE-validation-results.csv has one row per instance document: ``set``, ``file``, ``root``,
then one column per validator (``xsd``, ``en16931``, ``cen``, ``peppol``, ``profile``, ``br-fr``).
A cell is empty (validator not applicable), ``ok``, or ``FATAL ID ID(INTERNAL-ID) ...``, either
optionally followed by ``(warn: ID ...)``; the xsd cell is prefixed with the schema name
(``cii-d16b:ok``). We compare the sets of error and warning rule ids per validator.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from facturier.domain.validation import ArtefactStore, validate_xml

from .conftest import CONFORMANCE

_SCHEMA_PREFIX = re.compile(r"^[\w-]+:(?=ok|FATAL)")
_WARNINGS = re.compile(r"\(warn:(?P<ids>[^)]*)\)")
_INTERNAL_ID = re.compile(r"\([^)]*\)")


@dataclass(frozen=True)
class Expected:
    errors: frozenset[str]
    warnings: frozenset[str]


def parse_cell(cell: str) -> Expected:
    cell = _SCHEMA_PREFIX.sub("", cell.strip())
    warnings = _WARNINGS.search(cell)
    verdict = _WARNINGS.sub("", cell).strip()
    errors = (
        frozenset() if verdict == "ok" else frozenset(_INTERNAL_ID.sub("", t) for t in verdict.split()[1:])
    )
    return Expected(errors, frozenset(warnings.group("ids").split()) if warnings else frozenset())


@dataclass(frozen=True)
class Case:
    file: str
    rules: tuple[str, ...]
    profile: str | None
    expectations: tuple[tuple[str, str], ...]  # (our finding source, baseline cell)


def _case(row: dict[str, str]) -> Case:
    """How the baseline ran each set, expressed as our pipeline arguments."""
    name = row["set"]
    if name.startswith("facturx-"):
        profile = name.removeprefix("facturx-")
        columns = {"xsd": f"xsd-facturx-{profile}", "profile": f"facturx-{profile}", "br-fr": "br-fr"}
        rules: tuple[str, ...] = ("br-fr",)
    elif name.startswith("peppol"):
        profile, rules = None, ("xsd", "peppol")
        columns = {"xsd": "xsd", "cen": "peppol-cen", "peppol": "peppol"}
    else:
        profile, rules = None, ("xsd", "en16931")
        columns = {"xsd": "xsd", "en16931": "en16931-cii" if name.endswith("cii") else "en16931-ubl"}
    expectations = tuple((source, row[column]) for column, source in columns.items() if row[column])
    return Case(row["file"], rules, profile, expectations)


def _params() -> list[object]:
    baseline = CONFORMANCE / "BASELINE-validation-results.csv"
    if not baseline.is_file():
        return [
            pytest.param(
                None,
                marks=pytest.mark.skip(
                    reason="../shared not present: conformance data is only in the team workspace"
                ),
            )
        ]
    with baseline.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    params: list[object] = []
    for row in rows:
        params.append(pytest.param(_case(row), id=f"{row['set']}:{Path(row['file']).name}"))
    return params


@pytest.mark.parametrize("case", _params())
def test_pipeline_reports_the_baseline_rule_ids(
    case: Case, store: ArtefactStore, conformance_dir: Path
) -> None:
    # given an official instance document and the validators the baseline ran on it
    xml = (conformance_dir / case.file).read_bytes()
    # when our pipeline validates it
    report = validate_xml(xml, rules=case.rules, profile=case.profile, store=store)
    # then each validator reports exactly the baseline's error and warning rule ids
    for source, cell in case.expectations:
        expected = parse_cell(cell)
        assert source in report.artefacts
        assert report.error_rule_ids(source) == expected.errors, f"{source} errors"
        assert report.warning_rule_ids(source) == expected.warnings, f"{source} warnings"
    # and nothing else failed
    assert {f.source for f in report.errors} <= {source for source, _ in case.expectations}


def test_baseline_cells_are_read_as_error_and_warning_sets() -> None:
    assert parse_cell("cii-d16b:ok") == Expected(frozenset(), frozenset())
    assert parse_cell("FATAL BR-CO-16 (warn: UBL-CR-470)") == Expected(
        frozenset({"BR-CO-16"}), frozenset({"UBL-CR-470"})
    )
    assert parse_cell("FATAL BR-CO-27(FX-SCH-A-000132) CII-SR-465(FX-SCH-A-000350)") == Expected(
        frozenset({"BR-CO-27", "CII-SR-465"}), frozenset()
    )

"""The real statements of the team's dataset (../shared/datasets/bank_statements) go through the import twice:
the second time adds nothing. A file the parsers refuse (camt.052, deliberately wrong samples), whose account
cannot be registered (test IBANs with a bad checksum) or that the import refuses is skipped, saying why; all are
skipped when the team folder is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from facturier.banking.models import BankLine
from facturier.banking.services import bank_account_add, statement_import
from facturier.common.errors import BusinessError
from facturier.domain.banking.parse import parse_statement
from facturier.domain.banking.statement import StatementError
from tests.conftest import SHARED

DATASET = SHARED / "datasets" / "bank_statements"
FORMAT_FOLDERS = ("camt", "mt940", "ofx", "cfonb120")
SKIPPED_SUFFIXES = {".json", ".md", ".csv", ".txt.expected", ".xsd", ".py"}


def _samples() -> list[Path]:
    if not DATASET.is_dir():
        return []
    files = []
    for folder in FORMAT_FOLDERS:
        for path in sorted((DATASET / folder).rglob("*")):
            if path.is_file() and path.suffix.lower() not in SKIPPED_SUFFIXES and path.name != "LICENSE":
                if "specs" not in path.parts and "expected" not in path.name:
                    files.append(path)
    return files


SAMPLES = _samples()


@pytest.mark.skipif(
    not SAMPLES, reason="../shared not present: the statements are only in the team workspace"
)
@pytest.mark.parametrize("path", SAMPLES, ids=[str(path.relative_to(DATASET)) for path in SAMPLES])
def test_a_real_statement_imports_once_and_again_adds_nothing(entity, path):
    content = path.read_bytes()
    try:
        statements = parse_statement(content, filename=path.name)
    except StatementError as error:
        pytest.skip(f"refused by the parsers (a wrong or unsupported sample): {error.code}")
    # given the accounts the file names
    for statement in statements:
        currency = statement.currency or (statement.lines[0].currency if statement.lines else "EUR")
        try:
            bank_account_add(entity=entity, by=None, iban=statement.account_iban,
                             account_number="" if statement.account_iban else statement.account_number or "X",
                             currency=currency)  # fmt: skip
        except BusinessError as error:
            if error.code != "bank_account_exists":
                pytest.skip(f"the sample's account cannot be registered: {error.message}")
    # when it is imported, then every movement with money is stored
    try:
        first = statement_import(entity=entity, by=None, filename=path.name, content=content)
    except BusinessError as error:
        pytest.skip(f"refused by the import: {error.message} [{error.code}]")
    moving = sum(1 for statement in statements for line in statement.lines if line.amount != 0)
    assert first.new_lines + first.duplicate_lines == moving
    assert BankLine.objects.count() == first.new_lines
    # and importing the same bytes again writes nothing
    again = statement_import(entity=entity, by=None, filename=path.name, content=content)
    assert again.already_imported
    assert BankLine.objects.count() == first.new_lines

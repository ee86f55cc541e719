"""Banking fixtures: a bank account with a CSV mapping, statement builders, and a stand-in for the format
parsers (`domain.banking.parse`) so the import is tested whatever formats the parsers read today."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturier.banking.services import bank_account_add
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine

IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "DE89370400440532013000"
UNKNOWN_IBAN = "GB82WEST12345698765432"

MAPPING = {
    "date_column": "Date",
    "debit_column": "Débit",
    "credit_column": "Crédit",
    "text_column": "Libellé",
    "counterparty_column": "Tiers",
    "reference_column": "",
    "delimiter": ";",
    "encoding": "latin-1",
    "date_format": "%d/%m/%Y",
    "decimal_separator": ",",
    "thousands_separator": " ",
    "skip_rows": 2,
}

CSV_ROWS = [
    ("03/11/2026", "", "1 200,00", "VIR FA-2026-0001", "BOULANGERIE MARTIN"),
    ("04/11/2026", "12,50", "", "FRAIS TENUE DE COMPTE", ""),
    ("05/11/2026", "", "360,00", "VIR FA-2026-0002 FA-2026-0003", "SARL DURAND"),
]


def csv_bytes(rows=CSV_ROWS, *, encoding: str = "latin-1") -> bytes:
    text = "Relevé de compte\nCompte FR76 3000 6000 0112 3456 7890 189\nDate;Débit;Crédit;Libellé;Tiers\n"
    text += "".join(";".join(row) + "\n" for row in rows)
    return text.encode(encoding)


@pytest.fixture
def account(entity):
    return bank_account_add(entity=entity, by=None, iban=IBAN, bic="AGRIFRPP", name="Compte courant",
                            csv_mapping=MAPPING)  # fmt: skip


def line(day: int, amount: str, reference: str = "", text: str = "", **extra) -> StatementLine:
    return StatementLine(booking_date=dt.date(2026, 11, day), amount=Decimal(amount), currency="EUR",
                         bank_reference=reference, remittance=text, **extra)  # fmt: skip


def statement(*lines: StatementLine, iban: str = IBAN, **extra) -> ParsedStatement:
    return ParsedStatement(
        format="camt.053.001.02", account_iban=iban, currency="EUR", lines=tuple(lines), **extra
    )


@pytest.fixture
def fake_formats(monkeypatch):
    """Files the format parsers 'read': bytes -> statements; any other bytes are an unknown format."""
    known: dict[bytes, list[ParsedStatement]] = {}

    def parse(data: bytes, *, filename: str = "") -> list[ParsedStatement]:
        if data in known:
            return known[data]
        raise StatementError(f"{filename} is not a statement.", code="unknown_format")

    monkeypatch.setattr("facturier.banking.services.parse_statement", parse)
    return known


from tests.web.conftest import member_client, outsider_client, owner_client  # noqa: E402, F401 - the web fixtures

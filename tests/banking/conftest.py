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


@pytest.fixture
def screen(entity, customer, owner, account):
    """The reconciliation screen's data: three invoices of two customers, two imported transfers, one of
    them proposed for the first invoice with its reasons (the API and the web page show the same)."""
    from facturier.banking.models import BankLine, LineStatus
    from facturier.banking.reconciliation import reconciliation_run
    from facturier.banking.reconciliation_inputs import item_key
    from tests.banking.reconciliation_helpers import customer_named, import_rows, issued  # they use csv_bytes

    durand = customer_named(entity, "SARL Durand", "C002")
    invoices = {
        "proposed": issued(entity, customer, owner, "100.00"),  # 120.00
        "a": issued(entity, durand, owner, "250.00"),  # 300.00
        "b": issued(entity, durand, owner, "50.00"),  # 60.00
    }
    import_rows(entity, [
        ("06/11/2026", "", "120,00", "VIREMENT NOVEMBRE", "BOULANGERIE MARTIN SARL"),
        ("07/11/2026", "", "359,40", "PAIEMENT", "M DUPOND"),
    ])  # fmt: skip
    reconciliation_run(entity=entity, by=None)
    BankLine.objects.filter(remittance__contains="NOVEMBRE").update(
        status=LineStatus.PROPOSED, score=Decimal("0.8"),
        reasons=[{"code": "name_match", "params": {"customer": str(customer.pk), "similarity": 0.93}},
                 {"code": "amount_exact", "params": {"amount": "120.00", "open": "120.00", "difference": "0"}}],
        proposed_allocations=[{"item_key": item_key(invoices["proposed"]), "amount": "120.00"}],
    )  # fmt: skip
    return invoices


from tests.web.conftest import member_client, outsider_client, owner_client  # noqa: E402, F401 - the web fixtures

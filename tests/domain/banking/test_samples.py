"""Every real sample statement parses (or is refused when it is meant to be), and matches the expected results."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path

import pytest

from facturier.domain.banking.parse import parse_statement
from facturier.domain.banking.statement import ParsedStatement, StatementError, StatementLine
from tests.domain.banking.samples import REFUSED, ROOT, SKIP_REASON, relative, sample_files

SAMPLES = sample_files()
_needs_shared = pytest.mark.skipif(not SAMPLES, reason=SKIP_REASON)


def _parse(path: Path) -> list[ParsedStatement]:
    return parse_statement(path.read_bytes(), filename=path.name)


@_needs_shared
def test_the_sample_folder_holds_every_format(shared_dir: Path) -> None:
    # given the team's bank statement samples
    names = [relative(p) for p in SAMPLES]
    # then there are samples of every supported format, and the refusal list names real files
    for prefix in ("camt/", "mt940/", "ofx/", "cfonb120/"):
        assert any(name.startswith(prefix) for name in names), prefix
    assert set(REFUSED) <= set(names)


@pytest.mark.parametrize("path", SAMPLES, ids=relative)
def test_every_sample_parses_or_is_refused_as_expected(path: Path) -> None:
    # given a real statement file
    name = relative(path)
    if name in REFUSED:
        # when a file meant to be invalid is parsed, then it is refused with its stable code
        with pytest.raises(StatementError) as refused:
            _parse(path)
        assert refused.value.code == REFUSED[name], str(refused.value)
        assert str(refused.value)
        return
    # when it is parsed
    statements = _parse(path)
    # then each statement is coherent
    assert statements
    for statement in statements:
        assert statement.format
        assert statement.account_iban or statement.account_number or statement.format.startswith(("ofx", "mt94"))
        for line in statement.lines:
            assert isinstance(line.amount, Decimal)
            assert line.currency and len(line.currency) == 3, line
            assert line.booking_date.year > 1990


# --- camt: genkgo/camt expected parse results (JSON) ---------------------------------------------------

_MINOR_UNITS = {"JPY": 0}


def _genkgo_money(money: dict) -> tuple[Decimal, str]:
    code = money["getCurrency"]["getCode"]
    return Decimal(money["getAmount"]).scaleb(-_MINOR_UNITS.get(code, 2)), code


def _genkgo_cases() -> list[Path]:
    folder = ROOT / "camt" / "genkgo-camt"
    return sorted(p for p in folder.glob("*.json") if p.with_suffix(".xml").exists()) if folder.is_dir() else []


def _take_entry(lines: list[StatementLine], amount: Decimal) -> list[StatementLine]:
    """The lines one camt entry gave: one line, or the split transactions of a batch that add up to it."""
    taken: list[StatementLine] = []
    total = Decimal(0)
    while lines:
        taken.append(lines.pop(0))
        total += taken[-1].amount
        if total == amount:
            return taken
    raise AssertionError(f"no lines add up to the entry amount {amount}")


@pytest.mark.parametrize("expected_json", _genkgo_cases(), ids=lambda p: p.name)
def test_camt_samples_match_genkgo_expected_results(expected_json: Path) -> None:
    # given a genkgo sample and what genkgo/camt reads in it
    expected = json.loads(expected_json.read_text())
    entries = [e for e in expected["getEntries"] if e.get("getStatus") in (None, "BOOK")]
    # when we parse the XML
    statements = _parse(expected_json.with_suffix(".xml"))
    # then we find the same statements and the same entries: amounts, dates and references
    records = [e["getRecord"] for e in expected["getEntries"] if isinstance(e.get("getRecord"), dict)]
    ids = {record["getId"] for record in records}
    assert ids <= {statement.statement_id for statement in statements}
    for record in records:
        iban = ((record.get("getAccount") or {}).get("getIban") or {}).get("getIban")
        if iban:
            assert iban in {statement.account_iban for statement in statements}
    # (genkgo's message-level entry list only holds the last statement's entries in multi-statement files)
    by_id = {statement.statement_id: statement for statement in statements}
    record_id = next((r["getId"] for r in records), statements[-1].statement_id)
    lines = list(by_id[record_id].lines)
    for entry in entries:
        amount, currency = _genkgo_money(entry["getAmount"])
        taken = _take_entry(lines, amount)
        assert all(line.currency == currency for line in taken)
        booking = (entry.get("getBookingDate") or entry.get("getValueDate") or {}).get("0")
        if booking:
            assert taken[0].booking_date.isoformat() == booking[:10]
        if entry.get("getValueDate"):
            assert taken[0].value_date and taken[0].value_date.isoformat() == entry["getValueDate"]["0"][:10]
        if len(taken) == 1:
            reference = entry.get("getReference") or entry.get("getAccountServicerReference") or ""
            if reference:
                assert taken[0].bank_reference == reference
            first = entry.get("getTransactionDetail")
            detail = first if isinstance(first, dict) else {}
            end_to_end = (detail.get("getReference") or {}).get("getEndToEndId")
            if end_to_end not in (None, "NOTPROVIDED"):
                assert taken[0].end_to_end_id == end_to_end
            reason = (detail.get("getReturnInformation") or {}).get("getCode")
            if reason:
                assert taken[0].return_reason == reason
    assert lines == [], "lines no genkgo entry accounts for"


# --- camt: OCA bank-statement-import golden results (.pydata) ------------------------------------------

_OCA = {
    "golden-camt053.pydata": "test-camt053.xml",
    "golden-camt053-txdtls.pydata": "test-camt053-txdtls.xml",
    "golden-camt054.pydata": "test-camt054.xml",
    "golden-camt053-no-ntry.pydata": "test-camt053-no-ntry.xml",
}


@pytest.mark.parametrize("golden", sorted(_OCA), ids=str)
def test_camt_samples_match_oca_golden_results(golden: str) -> None:
    folder = ROOT / "camt" / "OCA-bank-statement-import"
    if not folder.is_dir():
        pytest.skip(SKIP_REASON)
    # given an OCA sample and its golden import result
    currency, iban, expected = ast.literal_eval((folder / golden).read_text())
    # when we parse it
    statements = _parse(folder / _OCA[golden])
    # then accounts, balances and every transaction agree
    if not expected:  # OCA imports nothing from a statement without entries
        assert all(not s.lines for s in statements)
        return
    assert len(statements) == len(expected)
    for statement, want in zip(statements, expected, strict=True):
        assert statement.currency == currency
        assert statement.account_iban == iban
        assert statement.statement_id == want["name"]
        if statement.opening_balance is not None or want["balance_start"]:
            assert statement.opening_balance == Decimal(str(want["balance_start"]))
            assert statement.closing_balance == Decimal(str(want["balance_end_real"]))
        assert len(statement.lines) == len(want["transactions"])
        for line, tx in zip(statement.lines, want["transactions"], strict=True):
            assert line.amount == Decimal(str(tx["amount"]))
            assert line.booking_date.isoformat() == tx["date"]
            assert line.counterparty_iban == tx["account_number"]
            assert line.counterparty_name == tx["partner_name"]
            assert line.bank_transaction_code == tx["transaction_type"]
            assert tx["ref"] in (line.end_to_end_id, line.structured_reference, line.bank_reference)

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
        assert (
            statement.account_iban or statement.account_number or statement.format.startswith(("ofx", "mt94"))
        )
        for line in statement.lines:
            assert isinstance(line.amount, Decimal)
            assert len(line.currency) == 3, line
            assert line.booking_date.year > 1990


# --- camt: genkgo/camt expected parse results (JSON) ---------------------------------------------------

_MINOR_UNITS = {"JPY": 0}


def _genkgo_money(money: dict) -> tuple[Decimal, str]:
    code = money["getCurrency"]["getCode"]
    return Decimal(money["getAmount"]).scaleb(-_MINOR_UNITS.get(code, 2)), code


def _genkgo_cases() -> list[Path]:
    folder = ROOT / "camt" / "genkgo-camt"
    return (
        sorted(p for p in folder.glob("*.json") if p.with_suffix(".xml").exists()) if folder.is_dir() else []
    )


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
            assert taken[0].value_date
            assert taken[0].value_date.isoformat() == entry["getValueDate"]["0"][:10]
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


# --- MT940, OFX and CFONB: values read by hand in the sample files -------------------------------------


def _one(relative_path: str) -> list[ParsedStatement]:
    path = ROOT / relative_path
    if not path.exists():
        pytest.skip(SKIP_REASON)
    return _parse(path)


def test_mt940_rabobank_structured_86_gives_end_to_end_counterparty_and_remittance() -> None:
    statements = _one("mt940/WoLpH-mt940/jejik/rabobank-iban.sta")
    first = statements[0]
    assert (first.account_iban, first.currency, first.opening_balance, first.closing_balance) == (
        "NL71RABO0123456789", "EUR", Decimal("1000.00"), Decimal("965.00"),
    )  # fmt: skip
    line = first.lines[0]
    assert line.amount == Decimal("-25.00")
    assert line.end_to_end_id == "01-01-2013 12:00 0030000987654321"
    assert line.counterparty_name == "CONTRA ACCOUNT HOLDER"  # wrapped over two :86: lines
    assert line.counterparty_iban == "NL70ABNA0987654321"
    assert line.bank_reference == ""  # "EREF" only points at the :86: field
    assert first.lines[1].remittance == "Reference 201301234"
    assert first.lines[1].counterparty_name == "JOHN DOE"


def test_mt940_german_subfields_and_sepa_keywords() -> None:
    statements = _one("mt940/WoLpH-mt940/betterplace/sepa_snippet.sta")
    line = statements[0].lines[0]
    assert line.amount == Decimal("50990.05")
    assert line.bank_reference == "0724710333343453"
    assert line.bank_transaction_code == "166"  # GVC
    assert line.description == "GUTSCHRIFT"  # ?00 booking text
    assert line.end_to_end_id == "EndToEndId TFNR 22 004 00001"  # EREF+ across ?20/?21
    assert line.remittance == "Verw CTSc-01 BC-PPP TFNr 22 004"  # SVWZ+
    assert (line.counterparty_name, line.counterparty_iban, line.counterparty_bic) == (
        "KARL KAUFMANN", "DE14508800500194785000", "DRESDEFF508",
    )  # fmt: skip


def test_mt940_ing_dutch_fields_and_balances() -> None:
    statements = _one("mt940/OCA-bank-statement-import/test-ing.940")
    statement = statements[0]
    assert statement.account_iban == "NL77INGB0574908765"
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("662.23"), Decimal("564.35"))
    line = statement.lines[0]
    assert (line.amount, line.end_to_end_id) == (Decimal("1.56"), "EV12341REP1231456T1234")
    assert (line.counterparty_iban, line.counterparty_bic) == ("NL32INGB0000012345", "INGBNL2A")


def test_mt940_balances_explain_movements_in_bank_exports() -> None:
    for name in ("mt940/WoLpH-mt940/jejik/rabobank-iban.sta", "mt940/OCA-bank-statement-import/test-sns.940"):
        for statement in _one(name):
            if statement.closing_balance is not None:
                assert statement.opening_balance is not None
                moved = sum((line.amount for line in statement.lines), Decimal(0))
                assert statement.opening_balance + moved == statement.closing_balance


def test_mt940_february_30_is_read_as_the_last_day_of_february() -> None:
    statements = _one("mt940/WoLpH-mt940/self-provided/february_30.sta")
    assert statements[0].lines[0].value_date is not None
    assert statements[0].lines[0].value_date.isoformat() == "2016-02-29"


def test_ofx1_sgml_with_charset_and_unclosed_tags() -> None:
    statements = _one("ofx/jseutter-ofxparse/bank_medium.ofx")
    statement = statements[0]
    assert (statement.format, statement.currency, statement.closing_balance) == (
        "ofx1",
        "CAD",
        Decimal("382.34"),
    )
    line = statement.lines[0]
    assert (line.amount, line.bank_reference, line.counterparty_name) == (
        Decimal("-6.60"), "0000123456782009040100001", "MCDONALD'S #112",
    )  # fmt: skip
    assert line.booking_date.isoformat() == "2009-04-01"


def test_ofx2_xml_and_ofx2_header_over_sgml_body() -> None:
    xml = _one("ofx/csingley-ofxtools/stmtrs.ofx")[0]
    assert (xml.format, xml.currency, [str(x.amount) for x in xml.lines]) == (
        "ofx2",
        "USD",
        ["-200.00", "-300.00"],
    )
    sgml_body = _one("ofx/jseutter-ofxparse/anzcc.ofx")[0]
    assert (sgml_body.currency, sgml_body.account_number, sgml_body.lines[0].amount) == (
        "AUD", "1234123412341234", Decimal("-5.50"),
    )  # fmt: skip


def test_cfonb120_statements_amount_encoding_and_05_records() -> None:
    statements = _one("cfonb120/pennylane-cfonb/example.txt")
    assert len(statements) == 2
    first = statements[0]
    assert (first.format, first.currency, first.account_number) == (
        "cfonb120",
        "EUR",
        "155890000098765432100",
    )
    assert (first.opening_balance, first.closing_balance) == (Decimal("-190.40"), Decimal("-241.21"))
    line = first.lines[0]
    assert line.amount == Decimal("-32.21")  # ...0322J: J is -1
    assert line.remittance.startswith("PRLV SEPA TEST CABINET MENSUEAUHTR13133")  # 04 label, then the 05 LIB
    assert line.counterparty_name == "INTERNET SFR"  # 05 NPY
    assert line.end_to_end_id == "OTHER REFERENCE"  # 05 RCN
    for statement in statements:
        moved = sum((line.amount for line in statement.lines), Decimal(0))
        assert statement.opening_balance is not None
        assert statement.opening_balance + moved == statement.closing_balance


def test_cfonb120_silarhi_overpunch_balance() -> None:
    statements = _one("cfonb120/silarhi-cfonb-parser/complex-test.txt")
    assert statements[0].opening_balance == Decimal("16695.65")  # 0000000166956E
    assert statements[0].lines[0].remittance == "PRLV SEPA ONLINE SAS DEDIBOX 3706114"


def test_camt053_returned_direct_debits_keep_their_reason_code() -> None:
    statements = _one("camt/OCA-bank-statement-import/test-camt053.xml")
    returned = [line for line in statements[0].lines if line.return_reason]
    assert [(line.amount, line.return_reason) for line in returned] == [
        (Decimal("-564.05"), "AC06"),
        (Decimal("-100.00"), "AC06"),
    ]

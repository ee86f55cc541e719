"""The pure CSV reader: a bank's columns through its mapping, signed amounts, clear refusals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.banking.csv_statement import CsvMapping, parse_csv
from facturier.domain.banking.statement import StatementError

SIGNED = CsvMapping(date_column="date", amount_column="amount", reference_column="id", text_column="label",
                    iban_column="iban", delimiter=",", decimal_separator=".", date_format="%Y-%m-%d")  # fmt: skip


def test_a_signed_amount_file_gives_signed_lines_with_the_banks_reference():
    data = b"date,amount,id,label,iban\n2026-11-03,1200.00,TX1,VIR FA-1,FR76 3000 6000 0112 3456 7890 189\n2026-11-04,-3.20,TX2,CB CAFE,\n"
    parsed = parse_csv(data, SIGNED)
    assert parsed.format == "csv"
    assert (parsed.period_start, parsed.period_end) == (dt.date(2026, 11, 3), dt.date(2026, 11, 4))
    first, second = parsed.lines
    assert (first.amount, first.bank_reference, first.counterparty_iban) == (
        Decimal("1200.00"), "TX1", "FR7630006000011234567890189")  # fmt: skip
    assert second.amount == Decimal("-3.20")
    assert first.natural_key("FR76...") == "ref:TX1"


@pytest.mark.parametrize(
    ("text", "amount"), [("(12.50)", "-12.50"), ("12.50-", "-12.50"), ("1 234.5", "1234.5")]
)
def test_accounting_notations_of_amounts_are_read(text, amount):
    data = f'date,amount,id,label,iban\n2026-11-03,"{text}",T,x,\n'.encode()
    assert parse_csv(data, SIGNED).lines[0].amount == Decimal(amount)


def test_a_debit_is_money_out_whatever_its_printed_sign():
    mapping = CsvMapping(date_column="d", debit_column="out", credit_column="in", delimiter=";")
    parsed = parse_csv(b"d;out;in\n03/11/2026;-5,00;\n03/11/2026;7,00;\n04/11/2026;;9,10\n", mapping)
    assert [line.amount for line in parsed.lines] == [Decimal("-5.00"), Decimal("-7.00"), Decimal("9.10")]


@pytest.mark.parametrize(
    "mapping",
    [
        {"date_column": ""},
        {"date_column": "d"},  # no amount column
        {"date_column": "d", "amount_column": "a", "debit_column": "b"},
        {"date_column": "d", "amount_column": "a", "delimiter": ";;"},
        {"date_column": "d", "amount_column": "a", "decimal_separator": "'"},
        {"date_column": "d", "amount_column": "a", "encoding": "klingon"},
        {"date_column": "d", "amount_column": "a", "skip_rows": -1},
        {"date_column": "d", "amount_column": "a", "colour": "blue"},
    ],
)
def test_an_incoherent_mapping_is_refused(mapping):
    with pytest.raises((ValueError, TypeError)):
        CsvMapping.from_dict(mapping)


def test_a_mapping_survives_its_json_form():
    assert CsvMapping.from_dict(SIGNED.to_dict()) == SIGNED


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "csv_columns"),
        (b"date,amount,id,label,iban\n", "empty"),
        (b"date,amount\x00", "encoding"),
        (b'date,amount,id,label,iban\n2026-11-03,"1.00,T,x,\n', "malformed"),
        (b"date,amount,id,label,iban\n2026-11-03,1e400,T,x,\n", "malformed"),
        (b"date,amount,id,label,iban\n2026-11-03,NaN,T,x,\n", "malformed"),
        (
            b"date,amount,id,label,iban\n2026-11-03,1.00,T,x,\n2026-11-03,1.00,T,x," + b"y" * 3000 + b"\n",
            "malformed",
        ),
    ],
)
def test_hostile_or_broken_files_are_refused_with_a_code(data, code):
    with pytest.raises(StatementError) as refused:
        parse_csv(data, SIGNED)
    assert refused.value.code == code


def test_a_file_over_the_row_limit_is_refused(monkeypatch):
    monkeypatch.setattr("facturier.domain.banking.csv_statement.MAX_CSV_ROWS", 2)
    data = b"date,amount,id,label,iban\n" + b"2026-11-03,1.00,T,x,\n" * 3
    with pytest.raises(StatementError) as refused:
        parse_csv(data, SIGNED)
    assert refused.value.code == "too_large"


@given(
    cents=st.integers(min_value=-(10**12), max_value=10**12).filter(lambda value: value != 0),
    comma=st.booleans(),
)
def test_every_amount_written_by_a_bank_is_read_back_exactly(cents, comma):
    amount = Decimal(cents).scaleb(-2)
    mapping = CsvMapping(date_column="d", amount_column="a", delimiter=";", decimal_separator="," if comma else ".",
                         thousands_separator="." if comma else ",")  # fmt: skip
    text = f"{amount:,.2f}"  # 1,234.56
    if comma:
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
    data = f"d;a\n03/11/2026;{text}\n".encode()
    assert parse_csv(data, mapping).lines[0].amount == amount


@given(st.binary(max_size=300))
def test_arbitrary_bytes_are_read_or_refused_never_crash(data):
    try:
        parse_csv(data, SIGNED)
    except StatementError:
        pass

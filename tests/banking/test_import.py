"""Importing statements: lines stored once per account, whatever is imported again or overlaps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.audit.models import AuditEvent
from facturier.banking.models import BankLine, Channel, LineStatus, StatementImport
from facturier.banking.services import bank_account_add, statement_import
from facturier.common.errors import BusinessError, ValidationFailed
from tests.banking.conftest import IBAN, OTHER_IBAN, UNKNOWN_IBAN, csv_bytes, line, statement
from tests.conftest import make_entity


def _import(entity, content: bytes, filename: str = "releve.xml", **options):
    return statement_import(entity=entity, by=None, filename=filename, content=content, **options)


def test_a_csv_statement_is_imported_with_the_accounts_saved_mapping(entity, account):
    # when the bank's CSV export (latin-1, title lines, debit and credit columns) is imported
    result = _import(entity, csv_bytes(), filename="export.csv")
    # then each row is a signed line of the account, waiting for reconciliation
    assert (result.new_lines, result.duplicate_lines, result.already_imported) == (3, 0, False)
    rows = list(
        BankLine.objects.order_by("booking_date").values_list("amount", "remittance", "counterparty_name")
    )
    assert rows == [
        (Decimal("1200.00"), "VIR FA-2026-0001", "BOULANGERIE MARTIN"),
        (Decimal("-12.50"), "FRAIS TENUE DE COMPTE", ""),
        (Decimal("360.00"), "VIR FA-2026-0002 FA-2026-0003", "SARL DURAND"),
    ]
    assert set(BankLine.objects.values_list("status", flat=True)) == {LineStatus.UNRECONCILED}
    (source,) = result.imports
    assert (source.account, source.format, source.channel) == (account, "csv", Channel.CLI)
    # and the import is audited
    assert AuditEvent.objects.filter(action="bank_statement.imported").count() == 1


def test_importing_the_same_file_again_adds_nothing_and_says_so(entity, account):
    first = _import(entity, csv_bytes(), filename="export.csv")
    # when the very same file is imported again (under another name)
    again = _import(entity, csv_bytes(), filename="export (1).csv")
    # then it is recognised: nothing new, and the previous import is named
    assert again.already_imported
    assert (again.new_lines, again.duplicate_lines) == (0, 3)
    assert again.imports == first.imports
    assert BankLine.objects.count() == 3
    assert StatementImport.objects.count() == 1


def test_an_overlapping_statement_adds_only_the_lines_not_seen_yet(entity, account):
    _import(entity, csv_bytes(), filename="october.csv")
    # when the next export repeats the last two rows and adds one
    rows = [*CSV_TAIL, ("06/11/2026", "", "99,90", "VIR FA-2026-0004", "SAS LEROY")]
    result = _import(entity, csv_bytes(rows), filename="november.csv")
    # then only the new row is stored
    assert (result.new_lines, result.duplicate_lines) == (1, 2)
    assert BankLine.objects.count() == 4


CSV_TAIL = [
    ("04/11/2026", "12,50", "", "FRAIS TENUE DE COMPTE", ""),
    ("05/11/2026", "", "360,00", "VIR FA-2026-0002 FA-2026-0003", "SARL DURAND"),
]


def test_two_identical_movements_of_one_day_are_both_kept_and_still_imported_once(entity, account):
    # given a statement with the same coffee twice on one day (no bank reference to tell them apart)
    coffee = ("07/11/2026", "3,20", "", "CB CAFE DU COIN", "")
    _import(entity, csv_bytes([coffee, coffee]), filename="a.csv")
    assert BankLine.objects.count() == 2
    # when a longer statement holding the same two is imported
    result = _import(
        entity, csv_bytes([coffee, coffee, ("08/11/2026", "", "10,00", "VIR X", "")]), filename="b.csv"
    )
    # then only the third line is new
    assert (result.new_lines, result.duplicate_lines) == (1, 2)
    assert BankLine.objects.count() == 3


def test_a_statement_finds_its_account_by_iban_and_lines_by_bank_reference(entity, account, fake_formats):
    # given a camt statement of the account, then a later one overlapping it by one entry
    fake_formats[b"day1"] = [statement(line(3, "100.00", "REF-1"), line(4, "-20.00", "REF-2"))]
    fake_formats[b"day2"] = [
        statement(line(4, "-20.00", "REF-2", text="now with text"), line(5, "50.00", "REF-3"))
    ]
    first = _import(entity, b"day1")
    second = _import(entity, b"day2")
    # then the bank's references identify the lines: the repeated entry is not stored twice
    assert (first.new_lines, second.new_lines, second.duplicate_lines) == (2, 1, 1)
    assert sorted(BankLine.objects.values_list("bank_reference", flat=True)) == ["REF-1", "REF-2", "REF-3"]
    assert {item.account for item in [*first.imports, *second.imports]} == {account}


def test_a_file_with_two_accounts_fills_each(entity, account, fake_formats):
    other = bank_account_add(entity=entity, by=None, iban=OTHER_IBAN, currency="EUR")
    fake_formats[b"two"] = [statement(line(3, "1.00", "A")), statement(line(3, "2.00", "A"), iban=OTHER_IBAN)]
    result = _import(entity, b"two")
    assert [item.account for item in result.imports] == [account, other]
    assert BankLine.objects.filter(account=other).get().amount == Decimal("2.00")


def test_a_statement_of_an_unknown_account_is_refused_and_nothing_is_written(entity, account, fake_formats):
    fake_formats[b"mixed"] = [
        statement(line(3, "1.00", "A")),
        statement(line(3, "2.00", "B"), iban=UNKNOWN_IBAN),
    ]
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, b"mixed")
    assert refused.value.code == "unknown_bank_account"
    assert UNKNOWN_IBAN in refused.value.message
    assert not BankLine.objects.exists()
    assert not StatementImport.objects.exists()


def test_a_statement_of_another_account_than_the_one_chosen_is_refused(entity, account, fake_formats):
    other = bank_account_add(entity=entity, by=None, iban=OTHER_IBAN)
    fake_formats[b"mine"] = [statement(line(3, "1.00", "A"))]
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, b"mine", account=other)
    assert refused.value.code == "unknown_bank_account"
    assert not BankLine.objects.exists()


def test_another_companys_account_is_unknown_here(entity, account, fake_formats):
    stranger = make_entity(name="Tierce SARL", siren="443061841")
    fake_formats[b"mine"] = [statement(line(3, "1.00", "A"))]
    with pytest.raises(ValidationFailed) as refused:
        _import(stranger, b"mine")
    assert refused.value.code == "unknown_bank_account"
    with pytest.raises(ValidationFailed):
        _import(stranger, b"mine", account=account)


def test_a_file_in_no_known_format_is_refused_with_the_parsers_reason(entity, account):
    # when a file no parser reads is imported (the real entry point of the format parsers)
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, b"%PDF-1.7 not a statement", filename="scan.pdf")
    # then the refusal says why, with the parser's stable code, and nothing is written
    assert refused.value.code == "statement_unreadable"
    assert refused.value.extra["reason"] == "unknown_format"
    assert not StatementImport.objects.exists()


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([("31/02/2026", "", "1,00", "X", "")], "not a date"),
        ([("03/11/2026", "", "douze", "X", "")], "not an amount"),
        ([("03/11/2026", "1,00", "2,00", "X", "")], "both a debit and a credit"),
        ([("03/11/2026", "", "", "X", "")], "no amount"),
        ([("03/11/2026", "", "0,00", "X", "")], "no amount"),
        ([("03/11/2026", "", "1,005", "X", "")], "more than 2 decimals"),
    ],
)
def test_a_bad_csv_row_refuses_the_whole_file(entity, account, rows, reason):
    good = ("02/11/2026", "", "5,00", "OK", "")
    with pytest.raises(ValidationFailed, match=reason):
        _import(entity, csv_bytes([good, *rows]), filename="bad.csv")
    assert not BankLine.objects.exists()


def test_a_csv_in_the_wrong_encoding_or_binary_is_refused(entity, account):
    with pytest.raises(ValidationFailed) as wrong:
        _import(entity, "Date;Débit\n".encode("utf-16"), filename="x.csv")
    assert wrong.value.extra["reason"] == "encoding"
    with pytest.raises(ValidationFailed, match="no column"):
        _import(entity, b"a;b;c\n1;2;3\n\n", filename="y.csv")


def test_empty_and_oversize_files_are_refused(entity, account, settings):
    with pytest.raises(ValidationFailed) as empty:
        _import(entity, b"", filename="empty.csv")
    assert empty.value.code == "statement_empty"
    settings.FACTURIER_STATEMENT_MAX_BYTES = 100
    with pytest.raises(BusinessError) as large:
        _import(entity, csv_bytes(), filename="big.csv")
    assert (large.value.code, large.value.status) == ("statement_file_too_large", 413)


def test_a_csv_needs_a_mapping_and_the_account_when_several_could_take_it(entity, fake_formats):
    plain = bank_account_add(entity=entity, by=None, iban=IBAN)
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, csv_bytes(), filename="export.csv", account=plain)
    assert refused.value.code == "csv_mapping_missing"
    with pytest.raises(ValidationFailed) as no_account:
        _import(entity, csv_bytes(), filename="export.csv")
    assert no_account.value.code == "csv_mapping_missing"


def test_a_statement_in_another_currency_than_its_account_is_refused(entity, account, fake_formats):
    fake_formats[b"usd"] = [statement(line(3, "1.00", "A")).__class__(
        format="mt940", account_iban=IBAN, currency="USD", lines=(line(3, "1.00", "A"),))]  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, b"usd")
    assert refused.value.code == "statement_currency_mismatch"


def test_zero_amount_lines_are_not_stored(entity, account, fake_formats):
    fake_formats[b"zero"] = [statement(line(3, "0.00", "Z"), line(3, "4.00", "Y"))]
    result = _import(entity, b"zero")
    assert result.new_lines == 1
    assert BankLine.objects.get().bank_reference == "Y"


def test_a_parser_crash_on_a_hostile_file_is_a_clean_refusal(entity, account, monkeypatch):
    def explode(data, *, filename=""):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr("facturier.banking.services.parse_statement", explode)
    with pytest.raises(ValidationFailed) as refused:
        _import(entity, b"<a><a><a>")
    assert refused.value.code == "statement_unreadable"


def test_ten_thousand_lines_import_fast_and_again_without_duplicates(entity, account, fake_formats):
    lines = [line(1 + n % 28, f"{n + 1}.00", f"R{n}") for n in range(10_000)]
    fake_formats[b"big"] = [statement(*lines)]
    fake_formats[b"big-again"] = [statement(*lines, statement_id="again")]
    with CaptureQueriesContext(connection) as queries:
        first = _import(entity, b"big")
    again = _import(entity, b"big-again")
    assert (first.new_lines, again.new_lines, again.duplicate_lines) == (10_000, 0, 10_000)
    assert BankLine.objects.count() == 10_000
    # fast means batched: the statement count does not follow the line count (its time is bench/statement_import.py's)
    print(f"10,000-line import: {len(queries)} statements")
    assert len(queries) < 200

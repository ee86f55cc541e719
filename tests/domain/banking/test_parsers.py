"""Each format's parser on small statements written for the tests: every field lands where it belongs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturier.domain.banking.parse import detect_format, parse_statement
from facturier.domain.banking.statement import ParsedStatement, StatementError
from tests.domain.banking import documents


def _balanced(statement: ParsedStatement) -> bool:
    assert statement.opening_balance is not None
    assert statement.closing_balance is not None
    return (
        statement.opening_balance + sum((x.amount for x in statement.lines), Decimal(0))
        == statement.closing_balance
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (documents.CAMT053_V8, "camt"),
        (documents.CAMT054_RETURN, "camt"),
        (documents.MT940, "mt940"),
        (documents.OFX1, "ofx"),
        (documents.OFX2, "ofx"),
        (documents.CFONB120, "cfonb120"),
        (b"\xef\xbb\xbf" + documents.MT940, "mt940"),
        (b"\r\n\r\n" + documents.CFONB120, "cfonb120"),
        (b"date;amount\n2026-03-01;12.00\n", ""),
        (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>", ""),
        (b"%PDF-1.7\n", ""),
    ],
)
def test_the_format_is_recognised_from_the_content(data: bytes, expected: str) -> None:
    assert detect_format(data) == expected


def test_the_file_name_is_not_trusted() -> None:
    # given a CFONB file named like a camt one, then it is still read as CFONB
    assert parse_statement(documents.CFONB120, filename="relevé.xml")[0].format == "cfonb120"


def test_camt053_entries_references_parties_charges_and_batches() -> None:
    # when a camt.053.001.08 statement is parsed
    [statement] = parse_statement(documents.CAMT053_V8)
    # then the account, period and balances are read, and the movements explain the balances
    assert statement.format == "camt.053.001.08"
    assert (statement.account_iban, statement.currency, statement.statement_id) == (
        "FR7630006000011234567890189", "EUR", "STMT-2026-03-01",
    )  # fmt: skip
    assert (statement.period_start, statement.period_end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert (statement.opening_balance, statement.closing_balance) == (Decimal("1000.00"), Decimal("2485.50"))
    assert _balanced(statement)
    credit, fees, batch_a, batch_b = statement.lines  # the pending entry is not a booked movement
    assert credit.amount == Decimal("1200.00")
    assert (credit.booking_date, credit.value_date) == (dt.date(2026, 3, 1), dt.date(2026, 3, 2))
    assert credit.bank_reference == "E1"  # NtryRef before AcctSvcrRef
    assert (credit.end_to_end_id, credit.structured_reference) == ("F2026-0042", "RF18539007547034")
    assert credit.remittance == "Facture F2026-0042 merci"
    assert (credit.counterparty_name, credit.counterparty_iban, credit.counterparty_bic) == (
        "Boulangerie Martin", "FR1420041010050500013M02606", "PSSTFRPPLYO",
    )  # fmt: skip
    assert credit.bank_transaction_code == "PMNT-RCDT-ESCT"
    assert (fees.amount, fees.charges, fees.bank_transaction_code) == (
        Decimal("-14.50"),
        Decimal("14.50"),
        "FEES",
    )
    assert fees.description == "Frais de tenue de compte"
    # a batch whose transactions add up to the entry is split, one line per customer payment
    assert [(x.amount, x.bank_reference, x.counterparty_name) for x in (batch_a, batch_b)] == [
        (Decimal("100.00"), "B1-1", "Client A"), (Decimal("200.00"), "B1-2", "Client B"),
    ]  # fmt: skip
    assert (batch_a.end_to_end_id, batch_b.end_to_end_id) == ("F2026-0050", "")  # NOTPROVIDED is no reference


def test_camt054_r_transactions_keep_their_iso_reason_code() -> None:
    [notification] = parse_statement(documents.CAMT054_RETURN)
    assert (notification.format, notification.currency) == ("camt.054.001.02", "EUR")
    returned, rejected = notification.lines
    # a returned direct debit: money out, the customer who did not pay, the reason
    assert (returned.amount, returned.return_reason, returned.end_to_end_id) == (
        Decimal("-450.00"), "AC04", "F2026-0031",
    )  # fmt: skip
    assert (returned.counterparty_name, returned.counterparty_iban) == (
        "Garage Dupuis",
        "FR7610107001011234567890129",
    )
    # a notification without booking date is booked on its value date; a proprietary reason is kept
    assert (rejected.booking_date, rejected.return_reason) == (dt.date(2026, 3, 6), "MS03")


def test_mt940_german_and_dutch_86_fields() -> None:
    [statement] = parse_statement(documents.MT940)
    assert (statement.format, statement.account_iban, statement.statement_id) == (
        "mt940", "DE89370400440532013000", "00042/001",
    )  # fmt: skip
    assert _balanced(statement)
    german, dutch, interest = statement.lines
    assert (german.amount, german.booking_date, german.bank_reference) == (
        Decimal("250.00"), dt.date(2026, 3, 2), "BANKREF-1",
    )  # fmt: skip
    assert (german.end_to_end_id, german.remittance) == ("F2026-0042", "Rechnung F2026-0042 danke")
    assert (german.counterparty_name, german.counterparty_iban, german.counterparty_bic) == (
        "Müller GmbH",
        "DE02120300000000202051",
        "COBADEFFXXX",
    )  # fmt: skip  (cp1252 text)
    assert (german.bank_transaction_code, german.description) == ("166", "SEPA-GUTSCHRIFT")
    assert (dutch.amount, dutch.end_to_end_id, dutch.remittance, dutch.return_reason) == (
        Decimal("-100.50"), "F2026-0040", "Factuur F2026-0040", "MD06",
    )  # fmt: skip
    assert (dutch.counterparty_name, dutch.counterparty_iban) == ("Bakkerij Jansen", "NL91ABNA0417164300")
    assert (interest.amount, interest.remittance) == (Decimal("0.50"), "Zinsen")


def test_ofx1_sgml_in_windows_1252() -> None:
    [statement] = parse_statement(documents.OFX1)
    assert (statement.format, statement.account_iban, statement.closing_balance) == (
        "ofx1", "FR7630006000011234567890189", Decimal("2222.56"),
    )  # fmt: skip
    credit, debit = statement.lines
    assert (credit.amount, credit.bank_reference, credit.booking_date) == (
        Decimal("1234.56"), "FIT-1", dt.date(2026, 3, 2),
    )  # fmt: skip
    assert (credit.counterparty_name, credit.remittance) == (
        "Société Générale Client",
        "Règlement F2026-0042",
    )
    assert (debit.amount, debit.value_date) == (Decimal("-12.00"), dt.date(2026, 3, 4))


def test_ofx2_xml() -> None:
    [statement] = parse_statement(documents.OFX2)
    assert (statement.format, statement.account_number, statement.currency) == (
        "ofx2",
        "30006 00012345678",
        "EUR",
    )
    [line] = statement.lines
    assert (line.amount, line.counterparty_name, line.remittance) == (
        Decimal("99.90"),
        "Café du Port",
        "F2026-0077",
    )


def test_cfonb120_records_amounts_and_complements() -> None:
    [statement] = parse_statement(documents.CFONB120)
    assert (statement.format, statement.account_number, statement.currency) == (
        "cfonb120", "300060000112345678901", "EUR",
    )  # fmt: skip
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("10000.00"),
        Decimal("11184.55"),
    )
    assert _balanced(statement)
    credit, debit = statement.lines
    assert (credit.amount, credit.bank_reference, credit.bank_transaction_code) == (
        Decimal("1234.55"), "REF-BANQUE-1", "05",
    )  # fmt: skip
    # the 05 records: payer name, label appended to the remittance (Latin-1 text), end-to-end reference
    assert credit.counterparty_name == "SOCIETE GENERALE DES EAUX"
    assert credit.remittance == "VIR SEPA RECU FACTURE F2026-0042 RèGLEMENT F2026-0042"
    assert credit.end_to_end_id == "F2026-0042"
    assert (debit.amount, debit.return_reason) == (Decimal("-50.00"), "AC")


def test_cfonb120_records_without_line_breaks() -> None:
    flat = documents.CFONB120.replace(b"\r\n", b"")
    assert parse_statement(flat) == parse_statement(documents.CFONB120)


def test_natural_keys_are_stable_and_distinct() -> None:
    [statement] = parse_statement(documents.MT940)
    keys = [line.natural_key(statement.account_iban) for line in statement.lines]
    assert len(set(keys)) == len(keys)
    assert keys == [
        line.natural_key(statement.account_iban) for line in parse_statement(documents.MT940)[0].lines
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "unknown_format"),
        (b"hello world", "unknown_format"),
        (documents.CAMT053_V8.replace(b"camt.053.001.08", b"camt.099.001.08"), "unknown_format"),
        (
            documents.CAMT053_V8.replace(b"<CdtDbtInd>CRDT</CdtDbtInd>", b"<CdtDbtInd>XXX</CdtDbtInd>", 1),
            "malformed",
        ),
        (documents.CAMT053_V8.replace(b"1200.00", b"12,00.0"), "malformed"),
        (documents.CAMT053_V8.replace(b"2026-03-02</Dt></ValDt>", b"2026-02-30</Dt></ValDt>"), "malformed"),
        (documents.MT940.replace(b":61:260303D100,50", b":61:26030XD100,50"), "malformed"),
        (documents.MT940.replace(b":60F:C260301EUR1000,00", b":60F:X260301EUR1000,00"), "malformed"),
        (documents.OFX1.replace(b"<TRNAMT>-12.00", b"<TRNAMT>-1e5"), "malformed"),
        (documents.CFONB120.replace(b"0000000000500}", b"00000000005X0}"), "malformed"),
        (documents.CFONB120[: len(documents.CFONB120) // 2], "truncated"),
    ],
)
def test_bad_files_are_refused_with_a_stable_code(data: bytes, code: str) -> None:
    with pytest.raises(StatementError) as refused:
        parse_statement(data, filename="upload.dat")
    assert refused.value.code == code
    assert str(refused.value)


def test_ofx1_empty_leaf_tags_do_not_swallow_their_siblings() -> None:
    data = documents.OFX1.replace(b"<MEMO>R\xe8glement F2026-0042", b"<MEMO><CHECKNUM>42")
    [statement] = parse_statement(data)
    credit = statement.lines[0]
    assert (credit.remittance, credit.bank_reference, credit.counterparty_name) == (
        "",
        "FIT-1",
        "Société Générale Client",
    )
    assert credit.description == "Société Générale Client 42"


def test_mt940_customer_reference_may_hold_a_single_slash() -> None:
    data = documents.MT940.replace(b":61:260303C0,50NMSCNONREF", b":61:260303C0,50NMSCAB/12")
    assert parse_statement(data)[0].lines[2].bank_reference == "AB/12"


def test_mt940_amounts_are_written_alike_whatever_the_decimals_given() -> None:
    short = documents.MT940.replace(b":61:260303C0,50NMSC", b":61:260303C1,NMSC").replace(
        b"1150,00", b"1150,50"
    )
    assert str(parse_statement(short)[0].lines[2].amount) == "1.00"


def test_camt_entries_outside_a_statement_are_ignored_and_statements_kept_apart() -> None:
    # given a second statement without entries, and an entry smuggled into the group header
    data = documents.CAMT053_V8.replace(
        b"<GrpHdr><MsgId>MSG-1</MsgId>",
        b"<GrpHdr><MsgId>MSG-1</MsgId><Ntry><Amt Ccy='EUR'>5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd></Ntry>",
    ).replace(
        b"</Stmt>",
        b"</Stmt><Stmt><Id>STMT-2</Id><Acct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></Acct></Stmt>",
    )
    first, second = parse_statement(data)
    assert (len(first.lines), second.statement_id, second.lines) == (4, "STMT-2", ())

"""The pure pain.008 / pain.001 builders: valid against the XSDs, SEPA characters, sums and counts."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from facturier.domain.sepa import (
    CollectionBatch,
    CollectionMessage,
    CreditTransfer,
    DirectDebit,
    Party,
    SepaError,
    TransferMessage,
    build_pain001,
    build_pain008,
    creditor_id_is_valid,
    sepa_text,
    validate_creditor_id,
)
from facturier.domain.sepa.charset import ALLOWED
from facturier.domain.sepa.creditor_id import creditor_id_check_digits
from tests.sepa.conftest import assert_valid

NOW = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
CREDITOR = Party(name="Atelier Émile & Fils", iban="FR7630006000011234567890189", bic="AGRIFRPP")
DEBTOR = Party(name="Société Générale d'Œuvres – Ørsted", iban="DE89370400440532013000", bic="COBADEFFXXX")


def debit(n: int, amount: str = "120.50", **kwargs) -> DirectDebit:
    values = {"end_to_end_id": f"F2026-{n:04d}", "amount": Decimal(amount), "mandate_id": f"UMR-{n}",
              "mandate_signed_on": dt.date(2026, 1, 15), "debtor": DEBTOR, "remittance": f"Facture F2026-{n:04d}"}  # fmt: skip
    return DirectDebit(**(values | kwargs))


def collection(*batches: CollectionBatch, creditor_id: str = "FR72ZZZ123456") -> CollectionMessage:
    return CollectionMessage(message_id="DD-20261207-1", created_at=NOW, creditor=CREDITOR,
                             creditor_id=creditor_id, batches=batches)  # fmt: skip


def batch(sequence: str, *transactions: DirectDebit, scheme: str = "CORE") -> CollectionBatch:
    return CollectionBatch(payment_info_id=f"DD-20261207-1-{sequence}", collection_date=dt.date(2026, 12, 21),
                           sequence=sequence, transactions=transactions, scheme=scheme)  # fmt: skip


def parse(xml: bytes) -> etree._Element:
    return etree.fromstring(xml, etree.XMLParser(resolve_entities=False))


@pytest.mark.parametrize("version", ["pain.008.001.08", "pain.008.001.02"])
def test_a_collection_file_is_valid_against_its_xsd_with_batches_per_sequence(version, pain_schema):
    # given a first collection for one mandate and recurrent ones for two others, one debtor without BIC
    message = collection(
        batch("FRST", debit(1)),
        batch("RCUR", debit(2, "10.00", creditor_reference="RF18539007547034"),
              debit(3, "0.01", debtor=Party(name="Zoë", iban="FR1420041010050500013M02606"))),
        batch("OOFF", debit(4, "99.99"), scheme="B2B"),
    )  # fmt: skip
    # when built in either version
    xml = build_pain008(message, version)
    # then it validates, and counts and control sums add up
    assert_valid(pain_schema(version), xml)
    ns = {"p": f"urn:iso:std:iso:20022:tech:xsd:{version}"}
    root = parse(xml)
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "4"
    assert root.findtext("p:CstmrDrctDbtInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "230.50"
    sequences = root.xpath("//p:PmtTpInf/p:SeqTp/text()", namespaces=ns)
    assert sequences == ["FRST", "RCUR", "OOFF"]
    assert root.xpath("//p:PmtInf[2]/p:CtrlSum/text()", namespaces=ns) == ["10.01"]
    assert "NOTPROVIDED" in root.xpath("//p:DbtrAgt//p:Id/text()", namespaces=ns)


def test_names_are_transliterated_to_the_sepa_character_set(pain_schema):
    xml = build_pain008(collection(batch("FRST", debit(1))))
    root = parse(xml)
    names = root.xpath("//*[local-name()='Nm']/text()")
    assert "Atelier Emile + Fils" in names
    assert "Societe Generale d'OEuvres - Orsted" in names


@given(st.text(max_size=200))
def test_sepa_text_only_ever_yields_allowed_characters(value):
    text = sepa_text(value, 70)
    assert set(text) <= ALLOWED
    assert len(text) <= 70


def test_a_transfer_file_is_valid_against_the_pain_001_001_09_xsd(pain_schema):
    message = TransferMessage(
        message_id="TR-20261207-1", payment_info_id="TR-20261207-1-1", created_at=NOW,
        execution_date=dt.date(2026, 12, 8), debtor=CREDITOR,
        transactions=(
            CreditTransfer(end_to_end_id="REFUND-1", amount=Decimal("42.00"), creditor=DEBTOR, remittance="Avoir A-1"),
            CreditTransfer(end_to_end_id="SUPP-1", amount=Decimal("1000.10"),
                           creditor=Party(name="Fournisseur", iban="FR1420041010050500013M02606"),
                           creditor_reference="RF18539007547034"),
        ),
    )  # fmt: skip
    xml = build_pain001(message)
    assert_valid(pain_schema("pain.001.001.09"), xml)
    assert parse(xml).xpath("//*[local-name()='GrpHdr']/*[local-name()='CtrlSum']/text()") == ["1042.10"]


def test_the_shared_samples_validate_with_the_same_schemas(pain_schema, shared_dir):
    samples = shared_dir / "datasets/sepa/pain_samples/php-sepa-xml"
    for version in ("pain.008.001.08", "pain.008.001.02", "pain.001.001.09"):
        assert_valid(pain_schema(version), (samples / f"{version}.xml").read_bytes())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": Decimal("0.00")}, "amount"),
        ({"amount": Decimal("-5.00")}, "amount"),
        ({"amount": Decimal("1.001")}, "amount"),
        ({"debtor": Party(name="X", iban="FR7630006000011234567890188")}, "debtor_iban"),
        ({"debtor": Party(name="X", iban="DE89370400440532013000", bic="NOTABIC")}, "debtor_bic"),
        ({"debtor": Party(name="   ", iban="DE89370400440532013000")}, "debtor_name"),
        ({"mandate_id": "   "}, "mandate_id"),
    ],
)
def test_bad_transactions_are_refused_naming_the_field(change, field):
    with pytest.raises(SepaError) as error:
        build_pain008(collection(batch("RCUR", debit(1, **change))))
    assert error.value.field == field


def test_an_invalid_creditor_identifier_or_an_empty_file_is_refused():
    with pytest.raises(SepaError) as error:
        build_pain008(collection(batch("RCUR", debit(1)), creditor_id="FR73ZZZ123456"))
    assert error.value.field == "creditor_id"
    with pytest.raises(SepaError):
        build_pain008(collection())
    with pytest.raises(SepaError) as error:
        build_pain008(collection(batch("RCUR", debit(1), debit(1))))
    assert error.value.field == "end_to_end_id"


@pytest.mark.parametrize(
    ("value", "valid"),
    [("FR72ZZZ123456", True), ("fr72 zzz 123456", True), ("DE98ZZZ09999999999", True), ("FR22ZZZABC123", True),
     ("FR72ZZZ12345", False), ("FR71ZZZ123456", False), ("72ZZZ123456", False), ("", False)],
)  # fmt: skip
def test_creditor_identifiers_are_checked_mod_97(value, valid):
    assert creditor_id_is_valid(value) is valid
    if valid:
        assert validate_creditor_id(value) == value.replace(" ", "").upper()


@given(
    st.sampled_from(["FR", "DE", "BE", "ES"]),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=28),
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=3, max_size=3),
)
def test_any_identifier_with_its_computed_check_digits_is_valid_and_a_changed_digit_is_not(
    country, national, code
):
    length = {"FR": 6, "DE": 11}.get(country)
    national = (national * 11)[:length] if length else national
    digits = creditor_id_check_digits(country, national)
    assert creditor_id_is_valid(f"{country}{digits}{code}{national}")
    wrong = f"{(int(digits) + 1) % 100:02d}"
    assert not creditor_id_is_valid(f"{country}{wrong}{code}{national}")

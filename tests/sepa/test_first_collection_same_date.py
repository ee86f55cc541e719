""" "FRST twice the same date": one mandate, two invoices collected on one date. Decision (docs/sepa.md):
the file holds one first collection (FRST) and the others of that mandate are RCUR (the SDD rulebook
accepts RCUR from the first collection on, with the same lead time); the pure builder refuses a message with
two FRST (or OOFF) of one mandate on one date; a one-off mandate takes a single invoice."""

import datetime as dt
from decimal import Decimal

import pytest
from lxml import etree

from facturier.domain.sepa import SepaError, build_pain008
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.payments.models import DirectDebitCollection
from facturier.payments.sepa_collections import collection_file_book, collection_file_generate
from facturier.payments.sepa_mandates import mandate_create, next_sequence
from tests.sepa.conftest import assert_valid
from tests.sepa.test_builders import batch, collection, debit
from tests.sepa.test_direct_debit import COLLECTION, DEBTOR_IBAN, creditor, mandate, schedule, smtp  # noqa: F401 - fixtures

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


def _issued(entity, customer, owner, product):
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
    return invoice_issue(invoice=draft, by=owner)


def test_the_builder_refuses_two_first_collections_of_one_mandate_on_one_date():
    twice = collection(batch("FRST", debit(1), debit(2, mandate_id="UMR-1")))
    with pytest.raises(SepaError) as refused:
        build_pain008(twice)
    assert refused.value.field == "sequence"
    assert "UMR-1" in str(refused.value)
    once_each = collection(batch("OOFF", debit(1)), batch("OOFF", debit(2, mandate_id="UMR-1"), scheme="B2B"))
    with pytest.raises(SepaError):
        build_pain008(once_each)
    # first collections of two mandates, or a first and a recurrent one of the same mandate, are fine
    build_pain008(collection(batch("FRST", debit(1), debit(2))))
    build_pain008(collection(batch("FRST", debit(1)), batch("RCUR", debit(2, mandate_id="UMR-1"))))


def test_two_invoices_of_one_new_mandate_on_one_date_are_one_frst_and_one_rcur(
    entity,
    owner,
    customer,
    product,
    mandate,  # noqa: F811
    smtp,  # noqa: F811
    pain_schema,
    django_capture_on_commit_callbacks,
):
    first, second = _issued(entity, customer, owner, product), _issued(entity, customer, owner, product)
    assert len(schedule(entity, owner, django_capture_on_commit_callbacks)) == 2
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    content = bytes(sepa_file.content)
    assert_valid(pain_schema("pain.008.001.08"), content)
    sequences = etree.fromstring(content).xpath("//*[local-name()='SeqTp']/text()")
    assert sorted(sequences) == ["FRST", "RCUR"]
    # the oldest scheduled invoice is the first collection
    stored = {c.document_id: c.sequence for c in DirectDebitCollection.objects.all()}
    assert (stored[first.pk], stored[second.pk]) == ("FRST", "RCUR")
    # once booked, the mandate's next collection is recurrent
    collection_file_book(sepa_file=sepa_file, booked_on=COLLECTION, by=owner)
    assert next_sequence(mandate, dt.date(2027, 2, 8)) == "RCUR"


def test_a_one_off_mandate_collects_a_single_invoice_of_two_due(
    entity,
    owner,
    customer,
    product,
    creditor,  # noqa: F811
    smtp,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    mandate_create(customer=customer, reference="UMR-ONCE", signed_on=dt.date(2026, 10, 1), iban=DEBTOR_IBAN,
                   one_off=True, by=owner)  # fmt: skip
    _issued(entity, customer, owner, product)
    _issued(entity, customer, owner, product)
    (scheduled,) = schedule(entity, owner, django_capture_on_commit_callbacks)
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    assert etree.fromstring(bytes(sepa_file.content)).xpath("//*[local-name()='SeqTp']/text()") == ["OOFF"]

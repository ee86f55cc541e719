"""Collecting invoices by SEPA direct debit: mandates, pre-notification, files, booking and returns."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from lxml import etree

from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.payments.models import (
    CollectionStatus,
    DirectDebitCollection,
    Mandate,
    MandateStatus,
    SepaFile,
)
from facturier.payments.selectors import Settlement, settlement_of
from facturier.payments.sepa_collections import (
    collection_file_book,
    collection_file_generate,
    collections_schedule,
    handle_direct_debit_return,
)
from facturier.payments.sepa_mandates import mandate_create, mandate_revoke, mandate_usable, sepa_creditor_set
from tests.sepa.conftest import assert_valid

TODAY = dt.date(2026, 11, 23)
COLLECTION = dt.date(2027, 1, 8)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))
DEBTOR_IBAN = "DE89370400440532013000"


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.original_content,
                                                                            policy=policy.default)))  # fmt: skip
        return "250 OK"


@pytest.fixture
def smtp(settings) -> Iterator[Inbox]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{port}?timeout=5"
    yield inbox
    controller.stop()


@pytest.fixture
def creditor(entity, owner):
    return sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner)


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


@pytest.fixture
def mandate(customer, owner, creditor):
    return mandate_create(customer=customer, reference="UMR-MARTIN-0001", signed_on=dt.date(2026, 10, 1),
                          iban=DEBTOR_IBAN, bic="COBADEFFXXX", by=owner)  # fmt: skip


def schedule(entity, owner, capture, date=COLLECTION):
    with capture(execute=True):
        return collections_schedule(entity=entity, collection_date=date, by=owner)


def test_an_invoice_due_is_scheduled_notified_filed_and_booked_as_a_payment(
    entity, owner, invoice, mandate, smtp, pain_schema, django_capture_on_commit_callbacks
):
    # given an issued invoice due before the collection date, a customer with a mandate
    assert invoice.due_date <= COLLECTION
    # when its collection is scheduled
    (collection,) = schedule(entity, owner, django_capture_on_commit_callbacks)
    # then the debtor was pre-notified by email, with amount, date, mandate and creditor id
    ((recipients, message),) = smtp.messages
    assert recipients == ["factures@martin.example"]
    body = message.get_body(("plain",)).get_content()
    assert "3204.60" in body
    assert "2027-01-08" in body
    assert "UMR-MARTIN-0001" in body
    assert "FR72ZZZ123456" in body
    collection.refresh_from_db()
    assert collection.notified_at is not None
    # when the file is generated: pain.008.001.08, valid, a first collection (FRST)
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    assert sepa_file is not None
    assert sepa_file.version == "pain.008.001.08"
    content = bytes(sepa_file.content)
    assert_valid(pain_schema("pain.008.001.08"), content)
    assert etree.fromstring(content).xpath("//*[local-name()='SeqTp']/text()") == ["FRST"]
    assert sepa_file.control_sum == Decimal("3204.60")
    # when the bank credits it, then the invoice is paid by direct debit
    (payment,) = collection_file_book(sepa_file=sepa_file, booked_on=COLLECTION, by=owner)
    assert (payment.method, payment.reference) == ("direct_debit", collection.end_to_end_id)
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert AuditEvent.objects.filter(action="direct_debit_file.generated").count() == 1


def test_generating_twice_for_the_same_date_collects_nothing_twice(
    entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks
):
    schedule(entity, owner, django_capture_on_commit_callbacks)
    assert schedule(entity, owner, django_capture_on_commit_callbacks) == []  # already scheduled
    first = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    assert first is not None
    assert collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner) is None
    assert schedule(entity, owner, django_capture_on_commit_callbacks) == []  # in a file: not scheduled again
    assert SepaFile.objects.count() == 1
    assert DirectDebitCollection.objects.count() == 1


def test_the_second_collection_of_a_mandate_is_recurrent(
    entity, owner, customer, product, mandate, smtp, pain_schema, django_capture_on_commit_callbacks
):
    def issued():
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
        return invoice_issue(invoice=draft, by=owner)

    issued()
    schedule(entity, owner, django_capture_on_commit_callbacks)
    first = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    collection_file_book(sepa_file=first, booked_on=COLLECTION, by=owner)
    # a month later, another invoice
    issued()
    later = dt.date(2027, 2, 8)
    schedule(entity, owner, django_capture_on_commit_callbacks, date=later)
    second = collection_file_generate(entity=entity, collection_date=later, by=owner)
    assert etree.fromstring(bytes(second.content)).xpath("//*[local-name()='SeqTp']/text()") == ["RCUR"]
    assert_valid(pain_schema("pain.008.001.08"), bytes(second.content))
    assert Mandate.objects.get().last_collected_on == COLLECTION


def test_older_banks_get_pain_008_001_02(
    entity, owner, invoice, mandate, smtp, pain_schema, django_capture_on_commit_callbacks
):
    sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner, pain008_version="pain.008.001.02")
    schedule(entity, owner, django_capture_on_commit_callbacks)
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    assert sepa_file.version == "pain.008.001.02"
    assert_valid(pain_schema("pain.008.001.02"), bytes(sepa_file.content))


def test_a_returned_direct_debit_reverses_the_payment_and_reopens_the_invoice_with_its_reason(
    entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks
):
    (collection,) = schedule(entity, owner, django_capture_on_commit_callbacks)
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    collection_file_book(sepa_file=sepa_file, booked_on=COLLECTION, by=owner)
    # when the bank returns it for insufficient funds
    returned = handle_direct_debit_return(
        entity=entity, end_to_end_id=collection.end_to_end_id, reason="AM04", by=None
    )
    # then the invoice is owed again, the reason is kept and shown in its history
    assert returned.status == CollectionStatus.RETURNED
    assert returned.return_reason == "AM04"
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    returned.payment.refresh_from_db()
    assert returned.payment.is_reversed
    assert "AM04 - Insufficient funds" in returned.payment.reversal_reason
    event = AuditEvent.objects.get(action="invoice.direct_debit_returned", object_id=str(invoice.pk))
    assert event.after["reason"] == "AM04"
    # and reading the same return again changes nothing
    handle_direct_debit_return(entity=entity, end_to_end_id=collection.end_to_end_id, reason="AM04", by=None)
    assert AuditEvent.objects.filter(action="direct_debit.returned").count() == 1
    # and it can be collected again, still as a first collection
    (again,) = schedule(entity, owner, django_capture_on_commit_callbacks, date=dt.date(2027, 1, 20))
    assert again.pk != collection.pk


def test_a_revoked_mandate_collects_nothing(
    entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks
):
    mandate_revoke(mandate=mandate, by=owner, reason="customer request")
    assert schedule(entity, owner, django_capture_on_commit_callbacks) == []
    with pytest.raises(Conflict):
        mandate_revoke(mandate=mandate, by=owner)


def test_a_mandate_unused_for_36_months_expires(entity, owner, customer, invoice, creditor, smtp,
                                                django_capture_on_commit_callbacks):  # fmt: skip
    mandate = mandate_create(customer=customer, reference="UMR-OLD", signed_on=dt.date(2023, 12, 1),
                             iban=DEBTOR_IBAN, by=owner)  # fmt: skip
    assert schedule(entity, owner, django_capture_on_commit_callbacks) == []
    mandate.refresh_from_db()
    assert mandate.status == MandateStatus.EXPIRED


@pytest.mark.parametrize(
    ("values", "field"),
    [({"iban": "FR7630006000011234567890188"}, "iban"), ({"bic": "XX"}, "bic"),
     ({"reference": "UMR MARTIN"}, "reference"), ({"signed_on": dt.date(2027, 1, 1)}, "signed_on")],
)  # fmt: skip
def test_bad_mandates_are_refused(customer, owner, creditor, values, field):
    data = {"reference": "UMR-1", "signed_on": TODAY, "iban": DEBTOR_IBAN} | values
    with pytest.raises(ValidationFailed) as error:
        mandate_create(customer=customer, by=owner, **data)
    assert error.value.field == field
    assert not Mandate.objects.exists()


def test_a_mandate_reference_is_unique_per_creditor(customer, owner, mandate):
    with pytest.raises(ValidationFailed) as error:
        mandate_create(
            customer=customer, reference=mandate.reference, signed_on=TODAY, iban=DEBTOR_IBAN, by=owner
        )
    assert error.value.code == "duplicate_mandate"


def test_an_invalid_creditor_identifier_is_refused(entity, owner):
    with pytest.raises(ValidationFailed) as error:
        sepa_creditor_set(entity=entity, creditor_id="FR73ZZZ123456", by=owner)
    assert error.value.code == "invalid_creditor_id"


def test_collections_need_the_pre_notification_delay(entity, owner, invoice, mandate):
    with pytest.raises(ValidationFailed) as error:
        collections_schedule(entity=entity, collection_date=TODAY + dt.timedelta(days=13), by=owner)
    assert error.value.code == "prenotification_too_late"


def test_only_accountants_and_admins_collect(entity, outsider, colleague, invoice, mandate):
    with pytest.raises(PermissionDenied):
        collections_schedule(entity=entity, collection_date=COLLECTION, by=outsider)


def test_the_collection_from_the_mandates_end_is_final_and_uses_it_up(
    entity, owner, customer, product, creditor, smtp, pain_schema, django_capture_on_commit_callbacks
):
    # given a mandate ending in February, already used once in January
    mandate_create(customer=customer, reference="UMR-END", signed_on=dt.date(2026, 10, 1), iban=DEBTOR_IBAN,
                   ends_on=dt.date(2027, 2, 1), by=owner)  # fmt: skip

    def collect(date):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
        invoice_issue(invoice=draft, by=owner)
        schedule(entity, owner, django_capture_on_commit_callbacks, date=date)
        return collection_file_generate(entity=entity, collection_date=date, by=owner)

    assert collect(COLLECTION) is not None
    # when the next collection falls after its end, then it is FNAL (valid in the file)
    final = collect(dt.date(2027, 2, 8))
    assert etree.fromstring(bytes(final.content)).xpath("//*[local-name()='SeqTp']/text()") == ["FNAL"]
    assert_valid(pain_schema("pain.008.001.08"), bytes(final.content))
    # and nothing more is collected with it
    assert collect(dt.date(2027, 3, 8)) is None


def test_a_one_off_mandate_collects_once(entity, owner, customer, invoice, creditor, smtp,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    mandate_create(customer=customer, reference="UMR-ONCE", signed_on=dt.date(2026, 10, 1), iban=DEBTOR_IBAN,
                   one_off=True, by=owner)  # fmt: skip
    schedule(entity, owner, django_capture_on_commit_callbacks)
    sepa_file = collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    assert etree.fromstring(bytes(sepa_file.content)).xpath("//*[local-name()='SeqTp']/text()") == ["OOFF"]
    mandate = Mandate.objects.get()
    assert mandate_usable(mandate, dt.date(2027, 2, 1)) is False


def test_a_reject_before_booking_drops_the_collection_without_a_payment(
    entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks
):
    (collection,) = schedule(entity, owner, django_capture_on_commit_callbacks)
    collection_file_generate(entity=entity, collection_date=COLLECTION, by=owner)
    # when the debtor's bank rejects it before settlement (account closed)
    returned = handle_direct_debit_return(
        entity=entity, end_to_end_id=collection.end_to_end_id, reason="ac04", by=None
    )
    # then no payment was ever recorded and the invoice is still owed
    assert (returned.status, returned.return_reason, returned.payment) == (
        CollectionStatus.RETURNED,
        "AC04",
        None,
    )
    assert settlement_of(invoice).settlement == Settlement.UNPAID


def test_a_return_of_an_unknown_collection_is_not_found(entity):
    from facturier.common.errors import NotFound

    with pytest.raises(NotFound) as error:
        handle_direct_debit_return(entity=entity, end_to_end_id="NOPE-1", reason="AM04", by=None)
    assert error.value.code == "unknown_collection"


def test_the_pre_notification_delay_is_a_company_setting(
    entity, owner, invoice, mandate, smtp, django_capture_on_commit_callbacks
):
    # given a company that agreed a 5-day pre-notification with its customers
    sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner, prenotification_days=5)
    due = (
        invoice.due_date if invoice.due_date > TODAY + dt.timedelta(days=5) else TODAY + dt.timedelta(days=5)
    )
    # then a collection 5 days ahead is scheduled and notified
    (collection,) = schedule(entity, owner, django_capture_on_commit_callbacks, date=due)
    collection.refresh_from_db()
    assert collection.notified_at is not None
    assert len(smtp.messages) == 1

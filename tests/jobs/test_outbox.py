"""Every audited change writes an outbox event in its transaction; consumers read them in order, once each."""

import time
from decimal import Decimal

import pytest
from django.db import transaction

from facturier.audit.models import AuditEvent
from facturier.invoicing.models import TypeCode
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.jobs.models import ConsumerCursor, OutboxEvent
from facturier.jobs.outbox import outbox_consume, outbox_read
from facturier.parties.services import customer_create
from tests.jobs.conftest import committed_db


def _new_customer(entity, name):
    return customer_create(entity=entity, by=None, code=name.upper()[:10], name=name, address_line1="1 rue Neuve",
                           postcode="69002", city="Lyon", email="compta@example.fr")  # fmt: skip


def _types(**filters):
    return list(
        OutboxEvent.objects.filter(**filters).order_by("tx", "position").values_list("type", flat=True)
    )


@committed_db
def test_every_audit_record_writes_one_outbox_event_with_a_stable_type(entity, customer, product):
    # given a draft invoice
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=None,
                            lines=[LineData(product=product, quantity=Decimal(2))])  # fmt: skip
    # when it is issued
    invoice_issue(invoice=draft, by=None)
    # then each audit record has its event, the issue named invoice.issued with the document as subject
    assert OutboxEvent.objects.count() == AuditEvent.objects.count()
    issued = OutboxEvent.objects.get(type="invoice.issued")
    assert (issued.subject_type, issued.subject_id, issued.entity) == ("invoice", str(draft.pk), entity)
    assert issued.payload["after"]["status"] == "issued"
    assert issued.payload["audit_action"] == "invoice.issued"
    assert _types(entity=entity)[:2] == ["entity.created", "membership.set"]


@committed_db
def test_a_credit_note_is_its_own_subject(entity, customer, product):
    # given an issued invoice and its credit note
    invoice = invoice_issue(invoice=document_create(entity=entity, kind="invoice", customer=customer, by=None,
                            lines=[LineData(product=product, quantity=Decimal(1))]), by=None)  # fmt: skip
    credit = document_create(entity=entity, kind="invoice", customer=customer, by=None,
                             type_code=TypeCode.CREDIT_NOTE, preceding_invoice=invoice,
                             lines=[LineData(product=product, quantity=Decimal(1))])  # fmt: skip
    # when the credit note is issued
    invoice_issue(invoice=credit, by=None)
    # then the event says credit_note.issued, not invoice.issued
    assert "credit_note.issued" in _types(subject_id=str(credit.pk))
    assert _types(subject_id=str(credit.pk), type="invoice.issued") == []


@committed_db
def test_a_rolled_back_change_leaves_no_event(entity):
    # given the events so far
    before = OutboxEvent.objects.count()

    def create_then_fail():
        with transaction.atomic():
            _new_customer(entity, "Rollback SARL")
            raise RuntimeError

    # when a customer creation is rolled back by its caller
    with pytest.raises(RuntimeError):
        create_then_fail()
    # then no event survives
    assert OutboxEvent.objects.count() == before


@committed_db
def test_a_consumer_reads_each_event_once_in_order_and_resumes_from_its_cursor(entity):
    # given a few events
    for name in ("Alpha", "Beta", "Gamma"):
        _new_customer(entity, name)
    everything = list(OutboxEvent.objects.order_by("tx", "position").values_list("position", flat=True))
    seen: list[int] = []
    # when the consumer reads in batches of two
    while outbox_consume(
        consumer="books", handle=lambda batch: seen.extend(e.position for e in batch), limit=2
    ):
        pass
    # then it saw every event once, in order, and its cursor is at the end
    assert seen == everything
    assert ConsumerCursor.objects.get(name="books").last_position == everything[-1]
    assert outbox_read(consumer="books") == []
    # and another consumer has its own cursor, from the start
    assert [e.position for e in outbox_read(consumer="webhooks", limit=1000)] == everything


@committed_db
def test_a_failing_handler_leaves_the_cursor_so_the_events_come_again(entity):
    # given one event
    _new_customer(entity, "Delta")
    pending = [e.position for e in outbox_read(consumer="dunning", limit=1000)]

    def fail(batch):
        raise RuntimeError("handler down")

    # when the handler fails
    with pytest.raises(RuntimeError):
        outbox_consume(consumer="dunning", handle=fail, limit=1000)
    # then the same events are delivered next time (at least once)
    again: list[int] = []
    outbox_consume(
        consumer="dunning", handle=lambda batch: again.extend(e.position for e in batch), limit=1000
    )
    assert again == pending


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_not_stepped_over_by_the_cursor():
    import threading

    from django.db import connection
    from django.utils import timezone

    from facturier.jobs.outbox import outbox_publish

    def publish(name):
        return outbox_publish(type=name, entity=None, subject_type="test", subject_id=name, payload={},
                              occurred_at=timezone.now())  # fmt: skip

    written, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            publish("early.but_slow")
            written.set()
            release.wait(10)
        connection.close()

    # given a transaction that wrote an event and has not committed yet
    thread = threading.Thread(target=slow_writer)
    thread.start()
    written.wait(10)
    # and a later event committed at once
    publish("late.but_quick")
    seen: list[str] = []
    # when the consumer reads now
    outbox_consume(consumer="c", handle=lambda batch: seen.extend(e.type for e in batch))
    # then it waits for the older transaction instead of stepping over it
    assert seen == []
    release.set()
    thread.join()
    # (the horizon is server-wide: transactions of other test processes on the server may hold it a moment)
    deadline = time.monotonic() + 30
    while len(seen) < 2 and time.monotonic() < deadline:
        outbox_consume(consumer="c", handle=lambda batch: seen.extend(e.type for e in batch))
        time.sleep(0.1)
    assert seen == ["early.but_slow", "late.but_quick"]

"""Concurrent usage batches (PostgreSQL): an event recorded once, a threshold crossing invoiced once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from facturier.billing.models import UsageCharge, UsageEvent
from facturier.billing.services import ItemData
from facturier.billing.usage import EventData, metric_create, usage_record
from facturier.invoicing.models import Document

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _events(prefix, count):
    when = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    return [EventData(event_id=f"{prefix}-{i}", metric="calls", customer="C001", quantity=Decimal(1),
                      occurred_at=when) for i in range(count)]  # fmt: skip


def _together(entity, batches):
    barrier, results, failures = threading.Barrier(len(batches)), [], []

    def send(batch):
        try:
            barrier.wait(10)
            results.append(usage_record(entity=entity, by=None, events=batch))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(batch,)) for batch in batches]
    with time_machine.travel(dt.datetime(2026, 1, 15, 9, tzinfo=dt.UTC), tick=False):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
    assert failures == []
    return results


@pytest.fixture
def contract(entity, customer, owner, make_contract):
    metric = metric_create(entity=entity, by=owner, code="calls")
    item = ItemData(description="Calls", metric=metric, quantity=Decimal(0), unit_price=Decimal(1),
                    threshold_amount=Decimal(100))  # fmt: skip
    return make_contract(reference="M-1", items=[item], timing="arrears")


def test_the_same_batch_sent_four_times_at_once_is_recorded_once(entity, contract):
    results = _together(entity, [_events("same", 50) for _ in range(4)])
    assert sum(len(r.accepted) for r in results) == 50
    assert sum(len(r.duplicates) for r in results) == 150
    assert UsageEvent.objects.count() == 50


def test_concurrent_batches_crossing_a_threshold_invoice_each_crossing_once(entity, contract):
    # eight batches of 30 calls at 1.00 (240.00) at once, a threshold of 100.00
    results = _together(entity, [_events(f"b{n}", 30) for n in range(8)])
    assert sum(len(r.accepted) for r in results) == 240
    charges = list(UsageCharge.objects.order_by("sequence"))
    assert [c.sequence for c in charges] == list(range(1, len(charges) + 1))
    assert all(c.amount >= 100 for c in charges)
    assert 240 - sum(c.amount for c in charges) < 100  # the last batch saw every other one
    assert len(charges) == 2
    invoices = Document.objects.filter(kind="invoice", status="issued")
    assert sorted(d.tax_exclusive for d in invoices) == sorted(c.amount for c in charges)

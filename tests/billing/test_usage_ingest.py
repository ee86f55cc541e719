"""The batch shape of usage ingestion: a batch costs the same queries whatever its size, and the daily
totals kept with the events always equal what the distinct events say, however batches are repeated,
split or interleaved."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.billing.metering import aggregated
from facturier.billing.models import Metric, UsageDayTotal, UsageEvent
from facturier.billing.services import ItemData
from facturier.billing.usage import EventData, metric_create, usage_record
from facturier.domain.billing.usage import Reading, aggregate
from facturier.parties.models import Customer

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 1, 20, 9, tzinfo=dt.UTC)


def _customers(entity, count):
    return [Customer.objects.get_or_create(entity=entity, code=f"Q{n:03d}", defaults={
        "name": f"Client {n}", "address_line1": "1 rue", "postcode": "75001", "city": "Paris"})[0]
        for n in range(count)]  # fmt: skip


def _events(prefix, count, customers):
    start = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
    return [EventData(event_id=f"{prefix}-{n}", metric="calls", customer=customers[n % len(customers)].code,
                      quantity=Decimal(n % 7), occurred_at=start + dt.timedelta(hours=n % 50))
            for n in range(count)]  # fmt: skip


def test_a_batch_costs_the_same_queries_whatever_its_size(entity, owner, make_contract):
    # given ten customers, each with a metered contract, half of them with a threshold (never reached)
    metric = metric_create(entity=entity, by=owner, code="calls")
    customers = _customers(entity, 10)
    for n, customer in enumerate(customers):
        item = ItemData(description="Calls", metric=metric, quantity=Decimal(0), unit_price=Decimal("0.01"),
                        threshold_amount=Decimal(10**9) if n % 2 else None)  # fmt: skip
        make_contract(reference=f"Q-{n}", customer=customer, items=[item], timing="arrears")
    counts = {}
    with time_machine.travel(NOW, tick=False):
        usage_record(entity=entity, by=owner, events=_events("warm", 10, customers))  # caches warmed
        for size in (10, 500):
            # when a batch of new events, then the same batch again, is recorded
            with CaptureQueriesContext(connection) as new:
                result = usage_record(entity=entity, by=owner, events=_events(f"n{size}", size, customers))
            with CaptureQueriesContext(connection) as again:
                usage_record(entity=entity, by=owner, events=_events(f"n{size}", size, customers))
            assert len(result.accepted) == size
            counts[size] = (len(new.captured_queries), len(again.captured_queries))
    # then both cost a fixed number of queries
    assert counts[10] == counts[500], counts
    assert counts[500][0] <= 24, counts  # a dozen for the batch, the rest for the audit record and savepoints


@pytest.fixture
def make_contract(entity, owner):
    from facturier.billing.services import contract_create

    def make(reference, customer, items, **options):
        return contract_create(entity=entity, customer=customer, by=owner, reference=reference,
                               start_date=dt.date(2026, 1, 1), items=items, **options)  # fmt: skip

    return make


# A pool of events (fixed content per id) over two customers, two metrics and days around a Paris
# midnight; a "story" is a list of batches, each a list of indexes into the pool (repeats allowed).
POOL = [
    EventData(event_id=f"p{n}", metric=("sum_m", "max_m")[n % 2], customer=("Q000", "Q001")[n // 2 % 2],
              quantity=Decimal(n * 37 % 11) / 4, dimension=f"u{n % 3}",
              occurred_at=dt.datetime(2026, 1, 14, 22, 30, tzinfo=dt.UTC) + dt.timedelta(minutes=20 * n))
    for n in range(24)
]  # fmt: skip
stories = st.lists(st.lists(st.integers(0, len(POOL) - 1), max_size=12), min_size=1, max_size=6)


def _totals():
    return {(t.metric.code, t.customer.code, t.day): (t.count, Decimal(t.total), Decimal(t.peak))
            for t in UsageDayTotal.objects.select_related("metric", "customer")}  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(story=stories)
def test_any_repetition_or_interleaving_of_batches_stores_the_distinct_events_once(entity, owner, story):
    # given two metrics, two customers and nothing recorded yet
    UsageDayTotal.objects.all().delete()
    UsageEvent.objects.all().delete()
    for code in ("sum_m", "max_m"):
        if not Metric.objects.filter(entity=entity, code=code).exists():
            metric_create(entity=entity, by=owner, code=code, aggregation=code[:3])
    _customers(entity, 2)
    # when the batches are recorded in the story's order
    with time_machine.travel(NOW, tick=False):
        accepted = sum(len(usage_record(entity=entity, by=owner, events=[POOL[i] for i in batch]).accepted)
                       for batch in story)  # fmt: skip
    # then each distinct event is stored once, and the daily totals are those of the distinct events
    distinct = {POOL[i].event_id: POOL[i] for batch in story for i in batch}
    assert accepted == len(distinct) == UsageEvent.objects.count()
    expected: dict[tuple[str, str, dt.date], list[Decimal]] = defaultdict(list)
    for event in distinct.values():
        expected[(event.metric, event.customer, event.occurred_at.astimezone(PARIS).date())].append(
            event.quantity
        )
    assert _totals() == {key: (len(q), sum(q, Decimal(0)), max(q)) for key, q in expected.items()}


def test_the_period_usage_read_from_the_daily_totals_is_the_domain_aggregate_of_the_events(
    entity, owner, make_contract
):
    # given a sum, a max and a count metric, each metered on a contract, and events around midnights
    customer = _customers(entity, 1)[0]
    items = {}
    for kind in ("sum", "max", "count"):
        metric = metric_create(entity=entity, by=owner, code=kind, aggregation=kind)
        contract = make_contract(reference=f"K-{kind}", customer=customer, timing="arrears",
                                 items=[ItemData(description=kind, metric=metric, quantity=Decimal(0),
                                                 unit_price=Decimal(1))])  # fmt: skip
        items[kind] = (contract.items.get(), contract)
    events = [EventData(event_id=f"{kind}-{n}", metric=kind, customer=customer.code, quantity=Decimal(n % 5) + 1,
                        occurred_at=dt.datetime(2026, 1, 31, 21, tzinfo=dt.UTC) + dt.timedelta(minutes=25 * n))
              for kind in items for n in range(12)]  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False):
        usage_record(entity=entity, by=owner, events=events)
    # when January and February are read, then each is the domain's aggregate of its local days' events
    for kind, (item, contract) in items.items():
        for start, end in (
            (dt.date(2026, 1, 1), dt.date(2026, 2, 1)),
            (dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
        ):
            readings = [Reading(e.quantity, e.occurred_at) for e in events
                        if e.metric == kind and start <= e.occurred_at.astimezone(PARIS).date() < end]  # fmt: skip
            assert aggregated(item, contract, start, end) == aggregate(kind, readings), (kind, start)

"""The demo loads whatever day it is: month ends, 29 February, New Year, daylight-saving changes, and the
late evening when it is already tomorrow in Paris.

`facturier demo` counts two years of history back from today, so every date it derives (weekends moved to
a business day, due dates, payments, platform statuses) must hold on any day. Each case moves the clock
with time-machine and loads the demo in a transaction that is rolled back: a smaller demo without
e-invoice validation on most days (about 5 s each), the full demo with every invoice validated on a few
of the trickiest ones (about 25 s each), so the whole file stays around two minutes with two workers.
"""

import datetime as dt
import random
import re
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db.models import F

from facturier.billing.models import BilledPeriod, BillingRun
from facturier.demo.customers import CUSTOMERS
from facturier.demo.loader import MAIN_DEALS, SEED, anchor_day, load_demo
from facturier.demo.products import PRODUCTS
from facturier.demo.scenario import PATHS, PAYMENTS, Planner
from facturier.invoicing.models import Document, EinvoiceValidation
from facturier.payments.models import Allocation
from facturier.transmission.models import LifecycleStatus

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC

# (UTC instant, why it is tricky). Paris is UTC+1 in winter, UTC+2 in summer.
INSTANTS = [
    (dt.datetime(2026, 5, 10, 8, 0, tzinfo=UTC), "a Sunday"),
    (dt.datetime(2026, 5, 31, 21, 30, tzinfo=UTC), "31 May, late evening in Paris"),
    (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), "still 30 June in UTC, already 1 July in Paris"),
    (dt.datetime(2026, 8, 31, 12, 0, tzinfo=UTC), "31 August"),
    (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "autumn DST change, 02:30 summer time in Paris"),
    (dt.datetime(2026, 10, 25, 2, 30, tzinfo=UTC), "autumn DST change, 03:30 winter time in Paris"),
    (dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC), "still November in UTC, 1 December in Paris"),
    (dt.datetime(2026, 12, 6, 10, 0, tzinfo=UTC), "6 December 2026, a Sunday"),
    (dt.datetime(2026, 12, 31, 22, 59, 59, tzinfo=UTC), "the last second of 2026 in Paris"),
    (dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC), "still 2026 in UTC, 1 January 2027 in Paris"),
    (dt.datetime(2027, 1, 1, 0, 30, tzinfo=UTC), "New Year's Day 2027"),
    (dt.datetime(2027, 1, 31, 23, 0, tzinfo=UTC), "midnight on 1 February in Paris"),
    (dt.datetime(2027, 2, 28, 12, 0, tzinfo=UTC), "28 February of a common year"),
    (dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC), "spring DST change, 01:30 winter time in Paris"),
    (dt.datetime(2027, 3, 28, 2, 30, tzinfo=UTC), "spring DST change, 04:30 summer time in Paris"),
    (dt.datetime(2027, 3, 31, 22, 30, tzinfo=UTC), "still March in UTC, 1 April in Paris"),
    (dt.datetime(2027, 6, 30, 12, 0, tzinfo=UTC), "30 June, end of a half-year"),
    (dt.datetime(2027, 9, 30, 21, 59, tzinfo=UTC), "30 September, one minute before midnight in Paris"),
    (dt.datetime(2027, 10, 31, 0, 30, tzinfo=UTC), "autumn DST change 2027, summer time in Paris"),
    (dt.datetime(2027, 10, 31, 2, 30, tzinfo=UTC), "autumn DST change 2027, winter time in Paris"),
    (dt.datetime(2027, 12, 31, 23, 30, tzinfo=UTC), "still 2027 in UTC, 1 January 2028 in Paris"),
    (dt.datetime(2028, 1, 1, 0, 30, tzinfo=UTC), "New Year's Day 2028"),
    (dt.datetime(2028, 2, 28, 23, 30, tzinfo=UTC), "still 28 February in UTC, 29 February in Paris"),
    (dt.datetime(2028, 2, 29, 12, 0, tzinfo=UTC), "29 February 2028"),
    (dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC), "still 29 February in UTC, 1 March in Paris"),
    (dt.datetime(2028, 3, 26, 2, 30, tzinfo=UTC), "spring DST change 2028, summer time in Paris"),
]
# Loaded in full, every issued invoice validated against the EN 16931 and French rules.
FULL = {
    dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    dt.datetime(2027, 3, 28, 0, 30, tzinfo=UTC),
    dt.datetime(2027, 10, 31, 2, 30, tzinfo=UTC),
    dt.datetime(2028, 2, 29, 23, 30, tzinfo=UTC),
}
SMALL_SCALE = 0.25


def _case(instant: dt.datetime, why: str):  # type: ignore[no-untyped-def]
    full = instant in FULL
    return pytest.param(instant, full, id=f"{instant:%Y-%m-%dT%H%M}Z{'-full' if full else ''}")


def test_the_plan_keeps_every_step_on_a_business_day_up_to_today_on_every_tricky_day():
    # given the full demo plan drawn on each tricky day (today in Paris)
    for instant, why in INSTANTS:
        today = instant.astimezone(PARIS).date()
        deals = Planner(random.Random(SEED + 2), today, CUSTOMERS, PRODUCTS).plan(MAIN_DEALS, PATHS, PAYMENTS)
        for deal in deals:
            # then no step is after today or on a weekend, and each deal's steps go forward in time
            assert all(step.day <= today and step.day.weekday() < 5 for step in deal.steps), (why, deal)
            keys = [step.key[:2] for step in deal.steps]
            assert keys == sorted(keys), (why, deal)
            # and no payment comes before its invoice
            invoiced = [step.day for step in deal.steps if step.action == "invoice"]
            paid = [step.day for step in deal.steps if step.action == "payment"]
            assert not invoiced or all(day >= invoiced[0] for day in paid), (why, deal)


@pytest.mark.slow
@pytest.mark.parametrize(("instant", "full"), [_case(at, why) for at, why in INSTANTS])
def test_the_demo_loads_on_any_day_with_its_history_up_to_that_day(instant, full, db, settings):
    if not full:
        settings.EINVOICE_VALIDATE_ON_ISSUE = False  # validated on the FULL days only, for time
    # given the clock at a tricky instant
    with time_machine.travel(instant, tick=True):
        today = instant.astimezone(PARIS).date()
        assert anchor_day() == today
        # when the demo is loaded
        result = load_demo(scale=1.0 if full else SMALL_SCALE)
        loaded_at = dt.datetime.now(UTC)
    # (the clock ticks: a load started at 23:59 may end the next day)
    today = loaded_at.astimezone(PARIS).date()
    # then it loaded two years of documents, none dated after today in Paris
    assert result.loaded
    issued = Document.objects.exclude(number="")
    days = list(issued.values_list("issue_date", flat=True))
    assert max(days) <= today
    assert min(days) < today - dt.timedelta(days=500)
    assert not issued.filter(due_date__lt=F("issue_date")).exists()
    # and numbers stay chronological in every series and year
    by_series: dict[tuple[str, str], list[tuple[int, dt.date]]] = defaultdict(list)
    for number, series, day in issued.values_list("number", "series", "issue_date"):
        year, sequence = re.fullmatch(r"[A-Z]+-(\d{4})-(\d{5})", number).groups()
        assert int(year) == day.year, number
        by_series[(series, year)].append((int(sequence), day))
    for numbers in by_series.values():
        numbers.sort()
        assert [sequence for sequence, _day in numbers] == list(range(1, len(numbers) + 1))
        assert [day for _sequence, day in numbers] == sorted(day for _sequence, day in numbers)
    # and every invoice of a billing run is dated on the run's date (the runs of the last four months)
    billed = BilledPeriod.objects.filter(document__isnull=False).values_list(
        "document__issue_date", "billing_run__run_date"
    )
    assert len(billed) >= 4
    assert all(issue_date == run_date for issue_date, run_date in billed), list(billed)
    assert BillingRun.objects.filter(dry_run=False, status="done").count() == 4
    # and payments were received between the invoice's issue and today
    for received_on, issue_date in Allocation.objects.values_list(
        "payment__received_on", "document__issue_date"
    ):
        assert issue_date <= received_on <= today
    # and platform statuses are in the past, in the order of the story (deposited, taken in charge, cashed)
    stories: dict[int, list[int]] = defaultdict(list)
    statuses = LifecycleStatus.objects.order_by("occurred_at", "created_at")
    for document, code, occurred_at in statuses.values_list("document", "code", "occurred_at"):
        assert occurred_at <= loaded_at
        stories[document].append(code)
    assert stories
    for story in stories.values():
        assert story == sorted(story), story
    # and on the full days every issued invoice and credit note passed e-invoice validation
    if full and settings.EINVOICE_VALIDATE_ON_ISSUE:
        assert (
            EinvoiceValidation.objects.filter(is_valid=True).count()
            == issued.filter(kind="invoice", seal_hash__gt="").count()
        )

"""Runs at the calendar's edges: month ends, 29 February, New Year, both DST changes, a simulated year."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import BilledPeriod
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData
from facturier.domain.billing.periods import Alignment, Timing, parse_frequency, periods_between
from facturier.domain.billing.pricing import period_price
from facturier.domain.billing.proration import round_fraction
from facturier.invoicing.models import Document
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute
from facturier.jobs.scheduler import fire_due, schedules_sync

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _work():
    while queued := list(JobRun.objects.filter(status=RunStatus.QUEUED).order_by("pk")):
        for job in queued:
            job_execute(run_id=job.pk)


def _bill(entity, day, hour=8):
    with time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=PARIS), tick=False):
        billing_run_start(entity=entity, day=day, by=None)
        _work()


def _periods(contract):
    return [(bp.period_start, bp.period_end, bp.document.tax_exclusive if bp.document else None)
            for bp in BilledPeriod.objects.filter(contract=contract).select_related("document")]  # fmt: skip


def test_an_anniversary_on_the_31st_bills_on_the_last_day_of_shorter_months(entity, make_contract):
    # given a monthly contract from 31 January 2028 (leap year), anniversary alignment
    contract = make_contract(start=dt.date(2028, 1, 31), alignment="anniversary")
    # when the runs of every day from 31 January to 30 April execute
    day = dt.date(2028, 1, 31)
    while day <= dt.date(2028, 4, 30):
        _bill(entity, day)
        day += dt.timedelta(days=1)
    # then each period is billed on its own day, in full, 29 February and 30 April included
    assert [(start, amount) for start, _end, amount in _periods(contract)] == [
        (dt.date(2028, 1, 31), Decimal("100.00")), (dt.date(2028, 2, 29), Decimal("100.00")),
        (dt.date(2028, 3, 31), Decimal("100.00")), (dt.date(2028, 4, 30), Decimal("100.00")),
    ]  # fmt: skip


def test_a_yearly_contract_of_29_february_renews_on_28_february(entity, make_contract):
    contract = make_contract(start=dt.date(2028, 2, 29), frequency="yearly", alignment="anniversary")
    for day in (dt.date(2028, 2, 29), dt.date(2029, 2, 27), dt.date(2029, 2, 28)):
        _bill(entity, day)
    assert [start for start, _end, _amount in _periods(contract)] == [
        dt.date(2028, 2, 29),
        dt.date(2029, 2, 28),
    ]


def test_new_year_in_arrears_bills_december_on_1_january_in_the_new_years_series(entity, make_contract):
    contract = make_contract(start=dt.date(2026, 12, 1), timing="arrears")
    _bill(entity, dt.date(2026, 12, 31), hour=23)  # the last evening of the year: December is not over
    assert _periods(contract) == []
    _bill(entity, dt.date(2027, 1, 1), hour=0)  # just after midnight, Paris time
    [(start, end, amount)] = _periods(contract)
    assert (start, end, amount) == (dt.date(2026, 12, 1), dt.date(2027, 1, 1), Decimal("100.00"))
    invoice = Document.objects.get(kind="invoice")
    assert invoice.issue_date == dt.date(2027, 1, 1)
    assert "2027" in invoice.number


@pytest.mark.parametrize(("change", "utc_hour"), [(dt.date(2026, 3, 29), 1), (dt.date(2026, 10, 25), 1)])
def test_the_days_of_a_dst_change_are_billed_once(entity, make_contract, change, utc_hour):
    # given a daily-cadenced contract (FREQ=DAILY) around a DST change, billed at 01:00 UTC, twice
    contract = make_contract(start=change - dt.timedelta(days=1), frequency="FREQ=DAILY", price="24.00")
    for offset in range(3):
        day = change - dt.timedelta(days=1) + dt.timedelta(days=offset)
        with time_machine.travel(dt.datetime.combine(day, dt.time(utc_hour), tzinfo=dt.UTC), tick=False):
            billing_run_start(entity=entity, day=day, by=None)
            billing_run_start(entity=entity, day=day, by=None)  # a second run of the same day
            _work()
    # then each calendar day, 23 or 25 hours long, is one period billed once, a full day's price
    assert [(start, amount) for start, _end, amount in _periods(contract)] == [
        (change - dt.timedelta(days=1), Decimal("24.00")), (change, Decimal("24.00")),
        (change + dt.timedelta(days=1), Decimal("24.00")),
    ]  # fmt: skip


def test_a_simulated_year_with_the_scheduler_bills_every_contract_as_its_terms_say(entity, make_contract):
    # given contracts of every cadence, timing and alignment, some starting mid-period, one with a trial
    contracts = [
        make_contract("M-ADV", start=dt.date(2026, 1, 1)),
        make_contract("M-ARR", start=dt.date(2026, 1, 15), timing="arrears", price="31.00"),
        make_contract("Q-CAL", start=dt.date(2026, 2, 10), frequency="quarterly", price="300.00"),
        make_contract("Y-ANN", start=dt.date(2026, 3, 31), frequency="yearly", alignment="anniversary",
                      price="1200.00"),
        make_contract("M-31", start=dt.date(2026, 1, 31), alignment="anniversary", trial_days=14, items=[
            ItemData(description="Seats", pricing_model="tiered", quantity=Decimal(12), unit_price=Decimal(0),
                     tiers=[{"up_to": 10, "unit_price": "5"}, {"up_to": None, "unit_price": "4"}])]),
        make_contract("M-END", start=dt.date(2026, 1, 1), end_date=dt.date(2026, 7, 16)),
    ]  # fmt: skip
    with time_machine.travel(dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC), tick=False):
        schedules_sync()
    # when the scheduler ticks every hour for a year (time moved forward, a worker executing the runs)
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    while moment < dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC):
        if moment.astimezone(PARIS).hour == 6:
            with time_machine.travel(moment, tick=False):
                fire_due()
                _work()
        moment += dt.timedelta(hours=1)
    # then every contract's invoices are exactly its periods, each at its daily-prorated price
    end = dt.date(2027, 1, 2)
    for contract in contracts:
        expected = _expected(contract, end)
        assert _periods(contract) == expected, contract.reference
    assert Document.objects.filter(kind="invoice", status="issued").count() == sum(
        len(_expected(c, end)) for c in contracts
    )


def _expected(contract, until):
    """The periods and amounts computed independently, day by day, from the contract's terms."""
    start = contract.start_date + dt.timedelta(days=contract.trial_days)
    item = contract.items.get()
    price = period_price(
        item.pricing_model, quantity=item.quantity, unit_price=item.unit_price, tiers=item.tiers
    )
    rows = []
    for period in periods_between(
        parse_frequency(contract.frequency), Alignment(contract.alignment), start, until
    ):
        last = period.end if contract.end_date is None else min(period.end, contract.end_date)
        first = max(period.start, start)
        if first >= last:
            continue
        bill_on = first if contract.timing == Timing.ADVANCE else last
        if bill_on >= until:
            continue
        exact = sum((Fraction(price) / period.days for _day in range((last - first).days)), Fraction(0))
        rows.append((period.start, period.end, round_fraction(exact)))
    return rows

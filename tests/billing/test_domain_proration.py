"""Daily proration: any sequence of changes adds up, to the cent, to billing day by day."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.billing.periods import Alignment, Period, parse_frequency, periods_between
from facturier.domain.billing.proration import (
    Segment,
    allocate,
    change_lines,
    day_by_day,
    exact_amount,
    round_fraction,
)

prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)


@st.composite
def period_and_changes(draw):
    start = draw(st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2030, 12, 31)))
    freq = draw(st.sampled_from(["monthly", "quarterly", "yearly", "FREQ=WEEKLY"]))
    period = next(
        iter(periods_between(parse_frequency(freq), Alignment.ANNIVERSARY, start, start + dt.timedelta(1)))
    )
    offsets = draw(st.lists(st.integers(min_value=0, max_value=period.days - 1), max_size=8))
    changes = [(period.start + dt.timedelta(days=o), draw(st.none() | prices)) for o in sorted(offsets)]
    return period, draw(prices), changes


def _timeline(period, initial_price, changes):
    """The segments a day-by-day computation sees: each state until the next change."""
    points = [(period.start, initial_price), *changes]
    segments = []
    for (day, price), (next_day, _) in zip(points, [*points[1:], (period.end, None)], strict=True):
        if price is not None and day < next_day:
            segments.append(Segment(day, next_day, price))
    return segments


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_and_changes())
def test_prorated_lines_of_any_sequence_of_changes_sum_to_the_day_by_day_amount(case):
    # given an item charged in advance for a period, then changed any number of times (or terminated)
    period, price, changes = case
    # when the credits and charges of every change are computed
    lines = change_lines(period, Segment(period.start, None, price), changes)
    # then every line has two decimals and they add up to the day-by-day amount, rounded once
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in lines)
    reference = day_by_day(period, _timeline(period, price, changes))
    assert sum((line.amount for line in lines), Decimal(0)) == round_fraction(reference)
    assert sum((line.exact for line in lines), Fraction(0)) == reference


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(period_and_changes(), st.integers(min_value=0, max_value=8))
def test_a_later_change_only_appends_lines(case, cut):
    # what was invoiced before a change never moves: the lines of a prefix of changes are a prefix
    period, price, changes = case
    before = change_lines(period, Segment(period.start, None, price), changes[:cut])
    after = change_lines(period, Segment(period.start, None, price), changes)
    assert after[: len(before)] == before


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fractions(min_value=-1000, max_value=1000, max_denominator=366), max_size=30))
def test_allocation_never_loses_a_cent(parts):
    assert sum(allocate(parts), Decimal(0)) == round_fraction(sum(parts, Fraction(0)))


def test_a_termination_credits_the_unused_days():
    # given 31.00 a month charged for March, terminated on 21 March (last day of service: 20 March)
    march = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    lines = change_lines(march, Segment(march.start, None, Decimal("31.00")), [(dt.date(2026, 3, 21), None)])
    # then the unused 11 days are credited
    assert [line.amount for line in lines] == [Decimal("31.00"), Decimal("-11.00")]


def test_an_upgrade_credits_the_old_plan_and_charges_the_new_one_from_the_change():
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    lines = change_lines(
        april, Segment(april.start, None, Decimal("30")), [(dt.date(2026, 4, 16), Decimal("60"))]
    )
    assert [(line.amount, line.days) for line in lines] == [(Decimal("30.00"), 30), (Decimal("-15.00"), 15),
                                                           (Decimal("30.00"), 15)]  # fmt: skip


def test_thirds_of_a_cent_are_allocated_without_loss():
    period = Period(dt.date(2026, 1, 1), dt.date(2026, 1, 4))  # 3 days
    parts = [exact_amount(period, period.start + dt.timedelta(days=i), period.start + dt.timedelta(days=i + 1),
                          Decimal("1.00")) for i in range(3)]  # fmt: skip
    assert allocate(parts) == [Decimal("0.33"), Decimal("0.34"), Decimal("0.33")]

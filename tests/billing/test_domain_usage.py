"""Usage arithmetic: aggregations, the entity's calendar (time zones, DST), thresholds and alerts."""

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.billing.usage import (
    Aggregation,
    Reading,
    aggregate,
    alerts_reached,
    local_day,
    period_instants,
    threshold_reached,
)

quantities = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
instants = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1),  # noqa: DTZ001
                        timezones=st.just(dt.UTC))  # fmt: skip
readings = st.lists(
    st.builds(Reading, quantity=quantities, occurred_at=instants, dimension=st.sampled_from("abcde")),
    max_size=12,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(readings, st.randoms())
def test_aggregations_do_not_depend_on_arrival_order(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    for kind in (Aggregation.SUM, Aggregation.MAX, Aggregation.COUNT, Aggregation.UNIQUE):
        assert aggregate(kind, items) == aggregate(kind, shuffled)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(readings)
def test_aggregations_agree_with_their_definitions(items):
    assert aggregate("sum", items) == sum((r.quantity for r in items), Decimal(0))
    assert aggregate("count", items) == len(items)
    assert aggregate("unique", items) == len({r.dimension for r in items})
    assert aggregate("max", items) == max((r.quantity for r in items), default=Decimal(0))
    assert aggregate("max", items) <= aggregate("sum", items)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(readings, readings)
def test_sum_and_count_of_two_periods_add_up(first, second):
    for kind in ("sum", "count"):
        assert aggregate(kind, first + second) == aggregate(kind, first) + aggregate(kind, second)


def test_the_last_value_is_the_latest_reading_then_the_latest_arrival():
    noon = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    items = [Reading(Decimal(7), noon, order=1), Reading(Decimal(3), noon - dt.timedelta(hours=1), order=5),
             Reading(Decimal(9), noon, order=2)]  # fmt: skip
    assert aggregate("last", items) == Decimal(9)
    assert aggregate("last", []) == 0


def test_a_late_evening_in_utc_is_the_next_month_in_paris():
    instant = dt.datetime(2026, 1, 31, 23, 30, tzinfo=dt.UTC)
    assert local_day(instant, "Europe/Paris") == dt.date(2026, 2, 1)
    assert local_day(instant, "UTC") == dt.date(2026, 1, 31)
    assert local_day(instant, "America/New_York") == dt.date(2026, 1, 31)


def test_a_period_starts_and_ends_at_local_midnight_across_dst():
    # March 2026 in Paris: 31 days, one of 23 hours (29 March); October: one of 25 hours (25 October)
    lo, hi = period_instants(dt.date(2026, 3, 1), dt.date(2026, 4, 1), "Europe/Paris")
    assert lo == dt.datetime(2026, 2, 28, 23, tzinfo=dt.UTC)
    assert hi == dt.datetime(2026, 3, 31, 22, tzinfo=dt.UTC)
    assert hi - lo == dt.timedelta(days=31, hours=-1)
    lo, hi = period_instants(dt.date(2026, 10, 1), dt.date(2026, 11, 1), "Europe/Paris")
    assert hi - lo == dt.timedelta(days=31, hours=1)


@given(quantities, quantities)
def test_a_threshold_is_reached_exactly_at_its_value(measure, threshold):
    assert threshold_reached(measure, threshold) == (threshold > 0 and measure >= threshold)
    assert not threshold_reached(measure, None)


def test_alerts_are_the_percentages_reached():
    assert alerts_reached(Decimal("79.99"), Decimal(100), [80, 50, 95]) == [50]
    assert alerts_reached(Decimal(80), Decimal(100), [80, 50, 95]) == [50, 80]
    assert alerts_reached(Decimal(80), None, [80]) == []

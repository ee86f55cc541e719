"""Billable time is rounded up per entry: never below the time worked, less than one increment above."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.timesheets.rounding import (
    InvalidDuration,
    hours_of,
    minutes_from_hours,
    rounded_minutes,
)
from facturier.domain.timesheets.valuation import InvalidMarkup, time_value, with_markup


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=480))
def test_rounded_time_is_at_least_the_time_worked_and_less_than_one_increment_more(minutes, increment):
    rounded = rounded_minutes(minutes, increment)
    assert minutes <= rounded < minutes + increment
    assert rounded % increment == 0


@pytest.mark.parametrize(("minutes", "expected"), [(1, 15), (15, 15), (16, 30), (0, 0), (59, 60)])
def test_quarter_hour_increments(minutes, expected):
    assert rounded_minutes(minutes, 15) == expected


def test_an_increment_of_one_minute_bills_time_as_worked():
    assert rounded_minutes(37, 1) == 37


def test_negative_durations_and_increments_are_refused():
    with pytest.raises(InvalidDuration):
        rounded_minutes(-1, 15)
    with pytest.raises(InvalidDuration):
        rounded_minutes(10, 0)
    with pytest.raises(InvalidDuration):
        minutes_from_hours(Decimal("-0.5"))
    with pytest.raises(InvalidDuration):
        minutes_from_hours(Decimal("NaN"))


def test_hours_become_whole_minutes():
    assert minutes_from_hours(Decimal("1.25")) == 75
    assert minutes_from_hours(Decimal("0.3333")) == 20
    assert hours_of(20) == Decimal("0.3333")


@given(st.integers(min_value=0, max_value=100_000), st.decimals(min_value=0, max_value=2000, places=2))
def test_time_value_is_the_hours_quantity_times_the_rate_to_the_cent(minutes, rate):
    value = time_value(minutes, rate)
    assert value == (hours_of(minutes) * rate).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
    assert abs(value - rate * minutes / 60) <= Decimal("0.005") + rate * Decimal("0.00005")


@given(
    st.decimals(min_value=0, max_value=100_000, places=2), st.decimals(min_value=0, max_value=1000, places=2)
)
def test_markup_never_lowers_an_expense(amount, percent):
    assert with_markup(amount, percent) >= amount


def test_markup_examples_and_refusals():
    assert with_markup(Decimal("100.00"), Decimal("10")) == Decimal("110.00")
    assert with_markup(Decimal("33.33"), Decimal("0")) == Decimal("33.33")
    with pytest.raises(InvalidMarkup):
        with_markup(Decimal(1), Decimal(-1))

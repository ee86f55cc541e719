"""Billing periods tile time: no day billed twice or skipped, whatever the frequency and alignment."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.billing.periods import (
    Alignment,
    InvalidFrequency,
    Period,
    Timing,
    billing_date,
    parse_frequency,
    period_containing,
    periods_between,
)

FREQUENCIES = ["monthly", "quarterly", "yearly", "FREQ=WEEKLY;INTERVAL=2", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
               "FREQ=MONTHLY;BYMONTHDAY=-1"]  # fmt: skip
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2032, 12, 31))


def test_anniversary_on_the_31st_ends_on_the_last_day_of_shorter_months():
    # given a monthly contract billed from 31 January 2028 (a leap year)
    freq = parse_frequency("monthly")
    # when its periods are listed
    periods = list(periods_between(freq, Alignment.ANNIVERSARY, dt.date(2028, 1, 31), dt.date(2028, 6, 1)))
    # then the boundaries follow the 31st, clamped to shorter months, without drifting
    assert [p.start for p in periods] == [dt.date(2028, 1, 31), dt.date(2028, 2, 29), dt.date(2028, 3, 31),
                                          dt.date(2028, 4, 30), dt.date(2028, 5, 31)]  # fmt: skip


def test_anniversary_on_29_february_falls_on_28_february_in_common_years():
    freq = parse_frequency("yearly")
    periods = list(periods_between(freq, Alignment.ANNIVERSARY, dt.date(2028, 2, 29), dt.date(2033, 1, 1)))
    assert [p.start for p in periods] == [dt.date(2028, 2, 29), dt.date(2029, 2, 28), dt.date(2030, 2, 28),
                                          dt.date(2031, 2, 28), dt.date(2032, 2, 29)]  # fmt: skip


def test_calendar_quarter_of_a_mid_quarter_start_is_the_whole_quarter():
    freq = parse_frequency("quarterly")
    period = period_containing(freq, Alignment.CALENDAR, dt.date(2026, 5, 17), dt.date(2026, 5, 17))
    assert period == Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1))


def test_in_advance_bills_on_the_first_day_of_service_and_in_arrears_the_day_after():
    period = Period(dt.date(2026, 2, 1), dt.date(2026, 3, 1))
    assert billing_date(period, Timing.ADVANCE, dt.date(2026, 2, 10), None) == dt.date(2026, 2, 10)
    assert billing_date(period, Timing.ARREARS, dt.date(2026, 1, 1), None) == dt.date(2026, 3, 1)
    assert billing_date(period, Timing.ARREARS, dt.date(2026, 1, 1), dt.date(2026, 2, 20)) == dt.date(
        2026, 2, 20
    )


@pytest.mark.parametrize(
    "text", ["hourly-ish", "FREQ=HOURLY", "FREQ=MONTHLY;COUNT=3", "DTSTART:20260101\nFREQ=DAILY"]
)
def test_a_frequency_that_is_no_billing_cadence_is_refused(text):
    with pytest.raises(InvalidFrequency):
        parse_frequency(text)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anchor=days, span=st.integers(min_value=1, max_value=900), text=st.sampled_from(FREQUENCIES),
       alignment=st.sampled_from(list(Alignment)))  # fmt: skip
def test_periods_cover_every_day_exactly_once(anchor, span, text, alignment):
    # given any frequency, alignment and anchor
    freq = parse_frequency(text)
    until = anchor + dt.timedelta(days=span)
    # when the periods up to a date are listed
    periods = list(periods_between(freq, alignment, anchor, until))
    # then they are contiguous, non-empty, cover the anchor and reach the end date
    assert periods[0].start <= anchor < periods[0].end
    for before, after in zip(periods, periods[1:], strict=False):
        assert before.end == after.start
    assert periods[-1].end >= until
    # and each day lies in the period that period_containing names
    probe = anchor + dt.timedelta(days=span // 2)
    assert period_containing(freq, alignment, anchor, probe) in periods

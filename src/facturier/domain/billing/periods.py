"""Billing periods: half-open date ranges ``[start, end)`` that tile the service with no gap or overlap.

A frequency is ``monthly``, ``quarterly``, ``yearly`` or an RFC 5545 rule (``FREQ=WEEKLY;INTERVAL=2``,
``RRULE:FREQ=MONTHLY;BYMONTHDAY=15``). Alignment:

- ``anniversary``: boundaries are the anchor (the first billed day) plus n periods, each counted from the
  anchor so nothing drifts: an anchor on 31 January gives 28 (or 29) February, 31 March, 30 April...; on
  29 February, 28 February in the following years and 29 February again in leap years;
- ``calendar``: boundaries are the first day of the month / quarter / year; a service starting mid-period
  bills the partial first period pro rata (the nominal period stays the whole calendar period).

A rule (RRULE) gives its boundaries itself (its occurrences from the anchor); alignment does not apply.
In advance, a period is billed on its first day of service; in arrears, on the day after it ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

__all__ = [
    "Alignment",
    "Frequency",
    "InvalidFrequency",
    "Period",
    "Timing",
    "billing_date",
    "parse_frequency",
    "period_containing",
    "periods_between",
]

NAMED_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12, "annually": 12, "semiannually": 6}


class InvalidFrequency(ValueError):
    """The frequency is neither a known name nor a valid RFC 5545 rule."""


class Alignment(StrEnum):
    CALENDAR = "calendar"
    ANNIVERSARY = "anniversary"


class Timing(StrEnum):
    ADVANCE = "advance"
    ARREARS = "arrears"


@dataclass(frozen=True, order=True)
class Period:
    """The days ``start`` (included) to ``end`` (excluded)."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"empty period {self.start}..{self.end}")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def overlap(self, start: dt.date, end: dt.date | None) -> int:
        """Days of ``[start, end)`` (``end`` None: open) inside the period."""
        lo = max(self.start, start)
        hi = self.end if end is None else min(self.end, end)
        return max(0, (hi - lo).days)


@dataclass(frozen=True)
class Frequency:
    """``months`` for the named frequencies, or ``rule`` (RFC 5545 text without DTSTART)."""

    months: int = 0
    rule: str = ""

    @property
    def spec(self) -> str:
        for name, months in NAMED_MONTHS.items():
            if months == self.months and not self.rule:
                return name
        return self.rule or f"FREQ=MONTHLY;INTERVAL={self.months}"


def parse_frequency(text: str) -> Frequency:
    """``monthly`` / ``quarterly`` / ``yearly`` or an RFC 5545 rule; raises InvalidFrequency."""
    value = text.strip()
    named = NAMED_MONTHS.get(value.lower())
    if named:
        return Frequency(months=named)
    rule = value.removeprefix("RRULE:").removeprefix("rrule:")
    if "DTSTART" in rule.upper() or "COUNT" in rule.upper() or "UNTIL" in rule.upper():
        raise InvalidFrequency(
            "a billing rule has no DTSTART, COUNT or UNTIL (the contract's dates give them)"
        )
    try:
        parsed = rrulestr(rule, dtstart=dt.datetime(2000, 1, 1))  # noqa: DTZ001 - dates only, naive by design
    except (ValueError, TypeError) as error:
        raise InvalidFrequency(
            f"{text!r} is not a frequency (monthly, quarterly, yearly or an RRULE)"
        ) from error
    if not isinstance(parsed, rrule) or parsed._freq > 3:  # noqa: SLF001 - YEARLY..DAILY only
        raise InvalidFrequency("a billing rule repeats daily at most often")
    return Frequency(rule=rule.upper())


def _rule_boundary(freq: Frequency, anchor: dt.date, index: int) -> dt.date:
    for position, day in enumerate(_rule_boundaries(freq, anchor)):
        if position == index:
            return day
    raise ValueError("the rule ends")  # pragma: no cover - billing rules have no COUNT or UNTIL


def _calendar_start(freq: Frequency, day: dt.date) -> dt.date:
    month0 = (day.month - 1) // freq.months * freq.months if freq.months <= 12 else 0
    return dt.date(day.year, month0 + 1, 1)


def boundary(freq: Frequency, alignment: Alignment, anchor: dt.date, index: int) -> dt.date:
    """The ``index``-th boundary (0: the first on or before the anchor)."""
    if freq.rule:
        return _rule_boundary(freq, anchor, index)
    if alignment is Alignment.CALENDAR:
        calendar: dt.date = _calendar_start(freq, anchor) + relativedelta(months=freq.months * index)
        return calendar
    anniversary: dt.date = anchor + relativedelta(
        months=freq.months * index
    )  # 31st -> last day, 29 Feb -> 28
    return anniversary


def period_at(freq: Frequency, alignment: Alignment, anchor: dt.date, index: int) -> Period:
    return Period(boundary(freq, alignment, anchor, index), boundary(freq, alignment, anchor, index + 1))


def period_containing(freq: Frequency, alignment: Alignment, anchor: dt.date, day: dt.date) -> Period:
    """The nominal period of a day on or after the anchor."""
    if day < anchor:
        raise ValueError("day before the anchor")
    if freq.rule:
        *_, last = periods_between(freq, alignment, anchor, day + dt.timedelta(days=1))
        return last
    index = 0
    if not freq.rule:  # jump close, then step
        months = (day.year - anchor.year) * 12 + day.month - anchor.month
        index = max(0, months // freq.months - 1)
    while True:
        period = period_at(freq, alignment, anchor, index)
        if period.start <= day < period.end:
            return period
        index += 1


def _rule_boundaries(freq: Frequency, anchor: dt.date) -> Iterator[dt.date]:
    """The anchor, then the rule's occurrences after it (one pass over the rule)."""
    yield anchor
    rule = rrulestr(freq.rule, dtstart=dt.datetime.combine(anchor, dt.time()))
    assert isinstance(rule, rrule)
    for occurrence in rule:
        if occurrence.date() > anchor:
            yield occurrence.date()


def periods_between(
    freq: Frequency, alignment: Alignment, anchor: dt.date, until: dt.date
) -> Iterator[Period]:
    """Every nominal period from the anchor's up to the one containing ``until - 1 day`` (``until`` excluded)."""
    if freq.rule:
        boundaries = _rule_boundaries(freq, anchor)
        start = next(boundaries)
        for end in boundaries:
            if start >= until:
                return
            yield Period(start, end)
            start = end
        return
    index = 0
    while True:
        period = period_at(freq, alignment, anchor, index)
        if period.start >= until:
            return
        yield period
        index += 1


def billing_date(
    period: Period, timing: Timing, service_start: dt.date, service_end: dt.date | None
) -> dt.date:
    """The day a period is invoiced: its first day of service (advance) or the day after its last (arrears)."""
    if timing is Timing.ADVANCE:
        return max(period.start, service_start)
    return period.end if service_end is None else min(period.end, max(service_end, period.start))

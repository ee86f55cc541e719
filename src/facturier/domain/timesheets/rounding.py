"""Billable time: each entry's minutes rounded UP to the company's increment (e.g. 15 minutes).

Rounding per entry, not per invoice line, is what a customer can check against each timesheet row:
a 5-minute call billed as a quarter of an hour. The rounded time is never less than the time worked
and less than one increment above it; an increment of 1 minute bills the time as worked.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

MINUTES_PER_HOUR = Decimal(60)
HOURS_PLACES = Decimal("0.0001")


class InvalidDuration(ValueError):
    pass


def rounded_minutes(minutes: int, increment: int) -> int:
    """``minutes`` rounded up to a multiple of ``increment`` (both whole minutes, increment >= 1)."""
    if increment < 1:
        raise InvalidDuration("the rounding increment is at least one minute")
    if minutes < 0:
        raise InvalidDuration("a duration is not negative")
    return -(-minutes // increment) * increment


def minutes_from_hours(hours: Decimal) -> int:
    """Hours as given (1.25) to whole minutes (75), half a minute rounded up; refuses negatives."""
    if not hours.is_finite() or hours < 0:
        raise InvalidDuration("a duration is a number of hours, not negative")
    return int((hours * MINUTES_PER_HOUR).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def hours_of(minutes: int) -> Decimal:
    """Minutes as a decimal quantity of hours for an invoice line (4 places: 20 min = 0.3333)."""
    return (Decimal(minutes) / MINUTES_PER_HOUR).quantize(HOURS_PLACES, rounding=ROUND_HALF_UP)

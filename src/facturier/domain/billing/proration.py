"""Exact daily proration and the rounding allocation that never loses a cent.

Billing day by day: a day of a nominal period costs ``price / days_in_period``. The exact amount of a
segment ``[start, end)`` is that rate times its days: a :class:`fractions.Fraction`, never rounded.

Rounding allocation (EN 16931: every line amount has two decimals). The lines of one item in one
period (the first charge, then the credits and charges of each change) are rounded *cumulatively*: line
``k`` is ``round(S_k) - round(S_{k-1})`` where ``S_k`` is the exact running total. So

- the lines always add up to ``round(exact total)``, the day-by-day amount rounded once (ROUND_HALF_UP),
  whatever the number and order of changes: no cent is lost or billed twice;
- a later change only appends lines: what was already invoiced never changes.

A mid-period change (quantity, price, plan) on an item billed in advance credits the unused part of
the old state and charges the new one from the change date; a termination credits the unused part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from facturier.domain.billing.periods import Period

__all__ = ["Segment", "allocate", "exact_amount", "day_by_day", "round_fraction", "change_lines"]

CENT = Decimal("0.01")


def round_fraction(value: Fraction) -> Decimal:
    """Two decimals, half away from zero, of an exact rational amount."""
    cents = value * 100
    sign = -1 if cents < 0 else 1
    magnitude = abs(cents)
    whole, remainder = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * remainder >= magnitude.denominator:
        whole += 1
    result = (Decimal(sign * whole) * CENT).quantize(CENT, rounding=ROUND_HALF_UP)
    return result if result else abs(result)


@dataclass(frozen=True)
class Segment:
    """``price`` per full period applies on the days ``[start, end)`` (``end`` None: to the period end)."""

    start: dt.date
    end: dt.date | None
    price: Decimal


def exact_amount(period: Period, start: dt.date, end: dt.date | None, price: Decimal) -> Fraction:
    """The exact amount of ``price`` per period over the days of ``[start, end)`` inside the period."""
    return Fraction(price) * period.overlap(start, end) / period.days


def day_by_day(period: Period, segments: Iterable[Segment]) -> Fraction:
    """The reference: add each day's rate, one day at a time (what tests compare proration against)."""
    total = Fraction(0)
    day = period.start
    segments = list(segments)
    while day < period.end:
        for segment in segments:
            if segment.start <= day and (segment.end is None or day < segment.end):
                total += Fraction(segment.price) / period.days
        day += dt.timedelta(days=1)
    return total


def allocate(exact_parts: Sequence[Fraction]) -> list[Decimal]:
    """Round each part so the rounded parts add up to the rounded exact total (cumulative rounding)."""
    rounded: list[Decimal] = []
    running, previous = Fraction(0), Decimal("0.00")
    for part in exact_parts:
        running += part
        current = round_fraction(running)
        rounded.append(current - previous)
        previous = current
    return rounded


@dataclass(frozen=True)
class ProratedLine:
    """A charge (positive) or credit (negative) over ``[start, end)`` of the period, at ``price``/period."""

    start: dt.date
    end: dt.date
    price: Decimal
    days: int
    period_days: int
    exact: Fraction
    amount: Decimal


def change_lines(
    period: Period, initial: Segment | None, changes: Sequence[tuple[dt.date, Decimal | None]]
) -> list[ProratedLine]:
    """The lines of one item over one period billed in advance, then changed.

    ``initial``: the state charged first (its days inside the period); ``changes``: ``(date, new price
    per period or None for a termination)`` in date order, each crediting the previous state from that
    date to the period end and charging the new one. Amounts allocated with :func:`allocate`.
    """
    raw: list[tuple[dt.date, dt.date, Decimal, Fraction]] = []
    current_price: Decimal | None = None
    current_end = period.end
    if initial is not None:
        start = max(initial.start, period.start)
        end = period.end if initial.end is None else min(initial.end, period.end)
        if start < end:
            raw.append((start, end, initial.price, exact_amount(period, start, end, initial.price)))
            current_price, current_end = initial.price, end
    for day, price in sorted(changes, key=lambda change: change[0]):
        day = max(day, period.start)
        if day >= period.end:
            continue
        if current_price is not None and day < current_end:
            raw.append(
                (day, current_end, -current_price, -exact_amount(period, day, current_end, current_price))
            )
        current_price, current_end = price, period.end
        if price is not None:
            raw.append((day, period.end, price, exact_amount(period, day, period.end, price)))
    amounts = allocate([part for *_, part in raw])
    return [
        ProratedLine(start, end, price, (end - start).days, period.days, exact, amount)
        for (start, end, price, exact), amount in zip(raw, amounts, strict=True)
    ]

"""What a situation bills: cumulative progress per line of the bill of quantities, minus what was billed.

A contract line is worth ``round(quantity × unit price, 2)``. A situation states, per line, the cumulative
progress (a fraction of the line: a percentage or a quantity done). The cumulative amount of a line is
its worth times that fraction, computed exactly and rounded once (ROUND_HALF_UP, two decimals as every
EN 16931 line amount); the situation bills ``cumulative now − cumulative at the previous situation``.
So whatever the steps, the situations of a line add up to its worth at 100 %, to the cent: the same
cumulative rounding as recurring billing (``domain.billing.proration.allocate``).

Progress never goes down, except in an explicit correction: then the line's difference is negative and
is credited (a document allowance on the situation invoice, since invoice lines are never negative).

The retention guarantee (retenue de garantie, loi 71-584 art. 1: at most 5 %) is withheld from what the
customer pays now, not from the VAT base: ``round(rate × amount with VAT, 2)`` of each situation invoice.
Its release pays back exactly the sum withheld.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "CENT", "MAX_RETENTION_RATE", "LineDelta", "LineProgress", "ProgressError", "line_worth", "cumulative_amount",
    "progress_ratio", "situation_deltas", "retention_of",
]  # fmt: skip

CENT = Decimal("0.01")
HUNDRED = Fraction(100)
MAX_RETENTION_RATE = Decimal(5)
"""Loi n° 71-584 du 16 juillet 1971, art. 1: the retention is at most 5 % of the payments."""


class ProgressError(ValueError):
    """A progress statement the contract does not allow; ``code`` and ``index`` say which and where."""

    def __init__(self, message: str, *, code: str, index: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.index = index


def round_half_up(value: Fraction | Decimal) -> Decimal:
    """Two decimals, half a cent up (away from zero for negatives), decided on the exact value."""
    exact = Fraction(value)
    sign = -1 if exact < 0 else 1
    cents = abs(exact) * 100
    whole = cents.numerator // cents.denominator
    if cents - whole >= Fraction(1, 2):
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(CENT)


def line_worth(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """The line's amount excluding VAT at 100 %: quantity × unit price, rounded once."""
    return round_half_up(Fraction(quantity) * Fraction(unit_price))


def progress_ratio(
    *, quantity: Decimal, percent: Decimal | None = None, done: Decimal | None = None
) -> Fraction:
    """The fraction of a line done, from a percentage or from the quantity done (exact, never rounded)."""
    if (percent is None) == (done is None):
        raise ProgressError(
            "Give the progress as a percentage or as a quantity done.", code="progress_required"
        )
    if percent is not None:
        return Fraction(percent) / HUNDRED
    if quantity <= 0:
        raise ProgressError("A line without quantity takes a percentage.", code="progress_required")
    return Fraction(done) / Fraction(quantity)  # type: ignore[arg-type]


def cumulative_amount(worth: Decimal, ratio: Fraction) -> Decimal:
    """The amount of the line done at ``ratio`` (0..1), rounded once: exactly ``worth`` at 100 %."""
    return round_half_up(Fraction(worth) * ratio)


@dataclass(frozen=True)
class LineProgress:
    """One line as a situation sees it: its worth, the ratio reached before, and the ratio now."""

    worth: Decimal
    previous: Fraction
    current: Fraction


@dataclass(frozen=True)
class LineDelta:
    cumulative: Decimal  # the amount done so far
    previous: Decimal  # what the previous situations billed
    amount: Decimal  # this situation: cumulative − previous (negative: a correction)


def situation_deltas(lines: Sequence[LineProgress], *, correction: bool = False) -> list[LineDelta]:
    """Per line: cumulative, previous, and this situation's amount. Refuses progress above 100 % or
    below 0, and progress going down unless the situation is an explicit correction."""
    deltas = []
    for index, line in enumerate(lines):
        if line.current > 1:
            raise ProgressError("Progress is at most 100 %.", code="progress_above_total", index=index)
        if line.current < 0:
            raise ProgressError("Progress is not negative.", code="progress_negative", index=index)
        if line.current < line.previous and not correction:
            raise ProgressError(
                "Progress does not go down (unless the situation is a correction).",
                code="progress_decreasing", index=index,
            )  # fmt: skip
        cumulative = cumulative_amount(line.worth, line.current)
        previous = cumulative_amount(line.worth, line.previous)
        deltas.append(LineDelta(cumulative, previous, cumulative - previous))
    return deltas


def retention_of(amount_with_vat: Decimal, rate: Decimal) -> Decimal:
    """What the customer withholds on a situation invoice: ``rate`` % of its amount with VAT, rounded
    once. VAT stays due on the whole amount: the retention is a term of payment, not a discount."""
    if rate < 0 or rate > MAX_RETENTION_RATE:
        raise ProgressError("The retention rate is between 0 and 5 %.", code="invalid_retention_rate")
    if amount_with_vat <= 0:
        return Decimal("0.00")
    return round_half_up(Fraction(amount_with_vat) * Fraction(rate) / HUNDRED)

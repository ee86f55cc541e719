"""What time and expenses are worth on an invoice, in the project's currency (2 places, half up).

Time: rounded minutes as hours (4 places, as the invoice line's quantity) times the hourly rate,
rounded once: the value shown in the work in progress is the invoice line's net amount, to the cent. Expenses: the amount excluding VAT plus the markup percentage; the VAT the supplier
charged is not re-invoiced as such: the re-invoiced line carries the VAT of the service it belongs to.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from facturier.domain.timesheets.rounding import hours_of

CENT = Decimal("0.01")


class InvalidMarkup(ValueError):
    pass


def time_value(minutes: int, hourly_rate: Decimal) -> Decimal:
    return (hours_of(minutes) * hourly_rate).quantize(CENT, rounding=ROUND_HALF_UP)


def with_markup(amount: Decimal, percent: Decimal) -> Decimal:
    """``amount`` re-invoiced with ``percent`` markup (0: at cost); a markup is between 0 and 1000 %."""
    if not percent.is_finite() or percent < 0 or percent > 1000:
        raise InvalidMarkup("a markup is a percentage between 0 and 1000")
    return (amount * (Decimal(100) + percent) / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP)

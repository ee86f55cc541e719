"""The price of one full period of an item: flat, per unit (seat), tiered (graduated) or volume.

Tiers are ``[{"up_to": 10, "unit_price": "5"}, {"up_to": None, "unit_price": "4", "flat": "0"}]``, in
increasing ``up_to`` order, the last one open (``up_to`` None). Tiered (graduated): each unit is priced in
the tier it falls in. Volume: every unit at the price of the tier the whole quantity falls in. A tier
may add a ``flat`` fee (charged once when the quantity reaches it). Amounts are exact (not rounded):
rounding happens once per invoice line (see proration.allocate).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import StrEnum
from typing import Any

__all__ = ["InvalidTiers", "PricingModel", "Tier", "check_tiers", "period_price"]


class PricingModel(StrEnum):
    FLAT = "flat"
    PER_UNIT = "per_unit"
    TIERED = "tiered"
    VOLUME = "volume"
    ONE_OFF = "one_off"  # quantity × unit price, once, in the period of the item's first day (not prorated)


class InvalidTiers(ValueError):
    """Tiers missing, unordered, with a negative price or without an open last tier."""


Tier = tuple[Decimal | None, Decimal, Decimal]  # up_to, unit price, flat fee


def check_tiers(raw: Sequence[Mapping[str, Any]]) -> list[Tier]:
    tiers: list[Tier] = []
    previous = Decimal(0)
    for index, item in enumerate(raw):
        try:
            up_to = None if item.get("up_to") in (None, "", "inf") else Decimal(str(item["up_to"]))
            price = Decimal(str(item.get("unit_price", "0")))
            flat = Decimal(str(item.get("flat", "0")))
        except (ArithmeticError, ValueError, TypeError) as error:
            raise InvalidTiers(f"tier {index + 1}: not a number") from error
        if price < 0 or flat < 0 or not price.is_finite() or not flat.is_finite():
            raise InvalidTiers(f"tier {index + 1}: prices are not negative")
        if up_to is not None and (up_to <= previous or index == len(raw) - 1):
            raise InvalidTiers(f"tier {index + 1}: 'up_to' increases and the last tier is open")
        if up_to is None and index != len(raw) - 1:
            raise InvalidTiers(f"tier {index + 1}: only the last tier is open")
        tiers.append((up_to, price, flat))
        previous = up_to if up_to is not None else previous
    if not tiers:
        raise InvalidTiers("a tiered or volume price needs at least one tier")
    return tiers


def period_price(
    model: PricingModel | str,
    *,
    quantity: Decimal,
    unit_price: Decimal,
    tiers: Sequence[Mapping[str, Any]] = (),
) -> Decimal:
    """The exact price of one full period."""
    model = PricingModel(model)
    if quantity < 0:
        raise ValueError("a quantity is not negative")
    if model is PricingModel.FLAT:
        return unit_price
    if model in (PricingModel.PER_UNIT, PricingModel.ONE_OFF):
        return quantity * unit_price
    checked = check_tiers(tiers)
    if model is PricingModel.VOLUME:
        for up_to, price, flat in checked:
            if up_to is None or quantity <= up_to:
                return quantity * price + (flat if quantity > 0 else Decimal(0))
    total, lower = Decimal(0), Decimal(0)
    for up_to, price, flat in checked:
        if quantity <= lower:
            break
        units = quantity - lower if up_to is None else min(quantity, up_to) - lower
        total += units * price + flat
        lower = up_to if up_to is not None else lower
    return total

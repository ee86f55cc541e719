"""Quantity tiers of one product in one price list: volume (every unit at the tier reached) or graduated
(each unit at the price of the band it falls in).

A product's rows in a price list are its tiers, each from a quantity up. A tier is **volume** by default:
when a line reaches it, the whole quantity takes its price. A tier marked **graduated** prices only the
units from its quantity on at its price; the units below it are priced as a line of exactly its
quantity would be, by the lower tiers (so when every tier is graduated, each unit is priced in the band
it falls in: 10 × 10.00 + 5 × 9.00 for 15 units with a break at 10). Below the lowest tier, the units
take the base price (the product's own price), as a volume line below every break does.

A negative quantity (a credit note) is priced as the opposite of its positive quantity. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["Band", "Tier", "average_unit_price", "bands_for", "graduated_total", "volume_total"]

PRICE_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Tier:
    from_quantity: Decimal
    unit_price: Decimal
    graduated: bool = False


@dataclass(frozen=True)
class Band:
    """The units of a line priced at one price: from `start` (excluded) to `end` (included)."""

    start: Decimal
    end: Decimal
    unit_price: Decimal
    is_base: bool = False  # below every tier: the base (product) price

    @property
    def quantity(self) -> Decimal:
        return self.end - self.start

    @property
    def amount(self) -> Decimal:
        return self.quantity * self.unit_price


def _reached(quantity: Decimal, tiers: list[Tier]) -> Tier | None:
    """The tier of the highest quantity at or below `quantity` (ties: the lowest price)."""
    reached = [tier for tier in tiers if tier.from_quantity <= quantity]
    if not reached:
        return None
    return max(reached, key=lambda tier: (tier.from_quantity, -tier.unit_price))


def bands_for(quantity: Decimal, tiers: list[Tier], base_price: Decimal) -> list[Band]:
    """The bands the units of a line of `quantity` (≥ 0) are priced in, lowest first."""
    if quantity < 0:
        raise ValueError("bands_for takes a quantity of at least 0; price its opposite")
    bands: list[Band] = []
    end = quantity
    remaining = list(tiers)
    while True:
        tier = _reached(end, remaining)
        if tier is None:
            if end > 0:
                bands.append(Band(start=Decimal(0), end=end, unit_price=base_price, is_base=True))
            break
        if not tier.graduated:
            if end > 0:
                bands.append(Band(start=Decimal(0), end=end, unit_price=tier.unit_price))
            break
        if end > tier.from_quantity:
            bands.append(Band(start=tier.from_quantity, end=end, unit_price=tier.unit_price))
        end = tier.from_quantity
        # below this tier's quantity: priced by the tiers strictly below it
        remaining = [other for other in remaining if other.from_quantity < tier.from_quantity]
    return bands[::-1]


def graduated_total(quantity: Decimal, tiers: list[Tier], base_price: Decimal) -> Decimal:
    """The exact amount of a line over its bands (not rounded); opposite for a negative quantity."""
    if quantity < 0:
        return -graduated_total(-quantity, tiers, base_price)
    return sum((band.amount for band in bands_for(quantity, tiers, base_price)), Decimal(0))


def volume_total(quantity: Decimal, tiers: list[Tier], base_price: Decimal) -> Decimal:
    """Every unit at the price of the tier reached (the quantity breaks as they always were)."""
    tier = _reached(abs(quantity), tiers)
    return quantity * (base_price if tier is None else tier.unit_price)


def average_unit_price(quantity: Decimal, total: Decimal) -> Decimal:
    """The unit price (6 decimals) a line of `quantity` carries for `total`: the line's net
    (quantity × unit price, rounded half-up to the cent, EN 16931) equals `total` rounded to the cent
    whenever a price of 6 decimals can give it (always below 10,000 units)."""
    if quantity == 0:
        return Decimal(0)
    target = total.quantize(CENT, rounding=ROUND_HALF_UP)
    price = (total / quantity).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP)
    for step in (0, 1, -1, 2, -2):
        candidate = price + step * PRICE_PLACES
        if (quantity * candidate).quantize(CENT, rounding=ROUND_HALF_UP) == target:
            return candidate
    return price

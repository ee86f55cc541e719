"""The price and the discount of one line, from the rules that apply to it.

How rules combine (docs/pricing.md says the same for users):

1. **Price**: a manual price (typed by the user) always wins. Otherwise, among the price-list prices
   that apply (right currency, date within validity, customer or one of its segments, quantity at or
   above the break), the most specific wins: a list for this very customer beats a list for a
   segment; then the list that started most recently (newer negotiations replace older ones); then
   the highest quantity break reached; then the lowest price, so the result never depends on the
   order rows come from the database. Without any, the product's own price.
2. **Discount**: only on a price that was not typed by hand. The single best discount applies,
   never several stacked: the highest percent among volume discounts, loyalty discounts, automatic
   promotions and the promotion whose code the document carries. On a tie, the order
   promotion code > automatic promotion > loyalty > volume decides, then the rule's name.

All dates are calendar dates in the legal entity's time zone; validity bounds are inclusive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import IntEnum, StrEnum

from facturier.domain.pricing.tiers import Band, Tier, average_unit_price, bands_for

__all__ = [
    "Context",
    "Discount",
    "DiscountKind",
    "LineQuery",
    "ListPrice",
    "Loyalty",
    "PriceSource",
    "Pricing",
    "Scope",
    "add_years",
    "best_discount",
    "best_price",
    "graduated_price",
    "is_valid_on",
    "price_line",
]

HUNDRED = Decimal(100)


class Scope(IntEnum):
    """Who a rule is for; a higher value is more specific."""

    EVERYONE = 0
    SEGMENT = 1
    CUSTOMER = 2


class PriceSource(StrEnum):
    MANUAL = "manual"
    PRODUCT = "product"
    PRICE_LIST = "price_list"


class DiscountKind(StrEnum):
    VOLUME = "volume"
    LOYALTY = "loyalty"
    PROMOTION = "promotion"
    PROMOTION_CODE = "promotion_code"


# Tie-break between discounts of the same percent: the lower rank wins.
KIND_RANK = {
    DiscountKind.PROMOTION_CODE: 0,
    DiscountKind.PROMOTION: 1,
    DiscountKind.LOYALTY: 2,
    DiscountKind.VOLUME: 3,
}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later; 29 February falls on 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def is_valid_on(day: dt.date, valid_from: dt.date | None, valid_until: dt.date | None) -> bool:
    """True when `day` is within the bounds, both included; a missing bound is open."""
    return (valid_from is None or valid_from <= day) and (valid_until is None or day <= valid_until)


@dataclass(frozen=True)
class Context:
    """Who buys and when: what every rule of one document is checked against."""

    day: dt.date
    currency: str
    customer_id: str
    segment_ids: frozenset[str] = frozenset()
    invoiced_last_12_months: Decimal = Decimal(0)
    customer_since: dt.date | None = None
    promotion_code: str = ""


@dataclass(frozen=True)
class LineQuery:
    product_id: str
    quantity: Decimal
    product_price: Decimal


@dataclass(frozen=True)
class ListPrice:
    """One price of a price list for one product, from `min_quantity` up (a quantity break)."""

    rule: str
    currency: str
    product_id: str
    unit_price: Decimal
    min_quantity: Decimal = Decimal(0)
    customer_id: str | None = None
    segment_id: str | None = None
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    list_id: str = ""  # the rows of one list and product are its tiers (domain.pricing.tiers)
    graduated: bool = False

    def scope_for(self, context: Context) -> Scope | None:
        """How specifically this price targets the context's customer; None: not for them."""
        if self.customer_id is not None:
            return Scope.CUSTOMER if self.customer_id == context.customer_id else None
        if self.segment_id is not None:
            return Scope.SEGMENT if self.segment_id in context.segment_ids else None
        return Scope.EVERYONE


@dataclass(frozen=True)
class Loyalty:
    """Who is loyal: invoiced at least `min_invoiced` over the last 12 months, and/or a customer for
    at least `min_years` (from their first issued invoice). Both given: both must hold."""

    min_invoiced: Decimal | None = None
    min_years: int | None = None

    def holds(self, context: Context) -> bool:
        if self.min_invoiced is None and self.min_years is None:
            return False  # a loyalty rule with no condition would be a discount for everyone
        if self.min_invoiced is not None and context.invoiced_last_12_months < self.min_invoiced:
            return False
        if self.min_years is not None:
            since = context.customer_since
            return since is not None and add_years(since, self.min_years) <= context.day
        return True


@dataclass(frozen=True)
class Discount:
    """A percent off the line. `code` is set only on promotions entered with a code."""

    rule: str
    kind: DiscountKind
    percent: Decimal
    product_id: str | None = None
    customer_id: str | None = None
    segment_id: str | None = None
    min_quantity: Decimal = Decimal(0)
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    loyalty: Loyalty | None = None
    code: str = ""

    def applies(self, context: Context, line: LineQuery) -> bool:
        if not is_valid_on(context.day, self.valid_from, self.valid_until):
            return False
        if self.product_id is not None and self.product_id != line.product_id:
            return False
        if self.customer_id is not None and self.customer_id != context.customer_id:
            return False
        if self.segment_id is not None and self.segment_id not in context.segment_ids:
            return False
        if line.quantity < self.min_quantity:
            return False
        if self.kind == DiscountKind.LOYALTY and (self.loyalty is None or not self.loyalty.holds(context)):
            return False
        if self.kind == DiscountKind.PROMOTION_CODE:
            return bool(self.code) and self.code.casefold() == context.promotion_code.strip().casefold()
        return True


@dataclass(frozen=True)
class Pricing:
    """What applies to a line: its unit price and discount, and the rules they come from."""

    unit_price: Decimal
    source: PriceSource
    price_rule: str
    discount_percent: Decimal = Decimal(0)
    discount_rule: str = ""
    bands: tuple[Band, ...] = ()  # graduated tiers: the bands the units were priced in
    list_id: str = ""  # and the list they come from


def graduated_price(line: LineQuery, listed: ListPrice, prices: list[ListPrice]) -> Pricing:
    """A graduated tier reached: the line's unit price is the average over the bands of its list's tiers
    (the line's net is their total to the cent), and the bands are kept to say which applied."""
    tiers = [
        Tier(from_quantity=p.min_quantity, unit_price=p.unit_price, graduated=p.graduated)
        for p in prices
        if p.list_id == listed.list_id and p.product_id == line.product_id
    ]
    bands = bands_for(abs(line.quantity), tiers, line.product_price)
    if len(bands) == 1 and bands[0].is_base:  # exactly at the lowest break: every unit below it
        return Pricing(unit_price=line.product_price, source=PriceSource.PRODUCT, price_rule="")
    if len(bands) == 1:  # all units in one band: its price, as a volume break would give
        return Pricing(unit_price=bands[0].unit_price, source=PriceSource.PRICE_LIST, price_rule=listed.rule)
    total = sum((band.amount for band in bands), Decimal(0))
    return Pricing(
        unit_price=average_unit_price(abs(line.quantity), total),
        source=PriceSource.PRICE_LIST,
        price_rule=listed.rule,
        bands=tuple(bands),
        list_id=listed.list_id,
    )


def best_price(context: Context, line: LineQuery, prices: list[ListPrice]) -> ListPrice | None:
    """The list price that applies (see the module docstring for the order), or None."""
    candidates: list[tuple[Scope, dt.date, Decimal, Decimal, str, ListPrice]] = []
    for price in prices:
        scope = price.scope_for(context)
        if (
            scope is None
            or price.product_id != line.product_id
            or price.currency != context.currency
            or line.quantity < price.min_quantity
            or not is_valid_on(context.day, price.valid_from, price.valid_until)
        ):
            continue
        start = price.valid_from or dt.date.min
        candidates.append((scope, start, price.min_quantity, -price.unit_price, price.rule, price))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[:5])[-1]


def best_discount(context: Context, line: LineQuery, discounts: list[Discount]) -> Discount | None:
    """The one discount that applies: the highest percent, ties by kind then by name."""
    applicable = [d for d in discounts if d.percent > 0 and d.applies(context, line)]
    if not applicable:
        return None
    return min(applicable, key=lambda d: (-d.percent, KIND_RANK[d.kind], d.rule))


def price_line(
    context: Context,
    line: LineQuery,
    prices: list[ListPrice],
    discounts: list[Discount],
    *,
    manual_price: Decimal | None = None,
) -> Pricing:
    """The unit price and discount of one line; a manual price takes no automatic discount."""
    if manual_price is not None:
        return Pricing(unit_price=manual_price, source=PriceSource.MANUAL, price_rule="")
    listed = best_price(context, line, prices)
    if listed is None:
        pricing = Pricing(unit_price=line.product_price, source=PriceSource.PRODUCT, price_rule="")
    elif listed.graduated and line.quantity != 0:
        pricing = graduated_price(line, listed, prices)
    else:
        pricing = Pricing(unit_price=listed.unit_price, source=PriceSource.PRICE_LIST, price_rule=listed.rule)
    discount = best_discount(context, line, discounts)
    if discount is None:
        return pricing
    return replace(pricing, discount_percent=min(discount.percent, HUNDRED), discount_rule=discount.rule)

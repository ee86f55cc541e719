"""Graduated tiers: each unit priced in the band it falls in; volume tiers: every unit at the tier reached."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.pricing.rules import Context, LineQuery, ListPrice, PriceSource, price_line
from facturier.domain.pricing.tiers import (
    Tier,
    average_unit_price,
    bands_for,
    graduated_total,
    volume_total,
)

BASE = Decimal("12.00")

quantities = st.decimals(min_value=0, max_value=100_000, places=3, allow_nan=False, allow_infinity=False)
prices = st.decimals(min_value=0, max_value=10_000, places=6, allow_nan=False, allow_infinity=False)


@st.composite
def graduated_tiers(draw: st.DrawFn) -> list[Tier]:
    """Up to five graduated tiers from distinct quantities, the first often at 0."""
    starts = draw(st.lists(quantities, min_size=1, max_size=5, unique=True))
    if draw(st.booleans()):
        starts = [Decimal(0), *[s for s in starts if s != 0]]
    return [Tier(from_quantity=s, unit_price=draw(prices), graduated=True) for s in starts]


def test_fifteen_units_with_a_break_at_ten_are_priced_in_two_bands():
    tiers = [Tier(Decimal(0), Decimal("10.00"), True), Tier(Decimal(10), Decimal("9.00"), True)]

    bands = bands_for(Decimal(15), tiers, BASE)

    assert [(b.quantity, b.unit_price) for b in bands] == [
        (Decimal(10), Decimal("10.00")),
        (5, Decimal("9.00")),
    ]
    assert graduated_total(Decimal(15), tiers, BASE) == Decimal("145.00")
    assert volume_total(Decimal(15), tiers, BASE) == Decimal("135.00")


def test_below_the_lowest_break_the_units_take_the_base_price():
    tiers = [Tier(Decimal(10), Decimal("9.00"), True)]

    bands = bands_for(Decimal(12), tiers, BASE)

    assert [(b.quantity, b.unit_price, b.is_base) for b in bands] == [
        (10, BASE, True),
        (2, Decimal("9.00"), False),
    ]


def test_a_volume_tier_below_a_graduated_one_prices_the_units_under_it_all_at_its_price():
    # 100 units at 8 (volume, reached by the first 500), the 100 above 500 at 6
    tiers = [
        Tier(Decimal(0), Decimal(10)),
        Tier(Decimal(100), Decimal(8)),
        Tier(Decimal(500), Decimal(6), True),
    ]

    assert graduated_total(Decimal(600), tiers, BASE) == Decimal(500 * 8 + 100 * 6)


def test_a_negative_quantity_is_the_opposite_of_its_positive_one():
    tiers = [Tier(Decimal(0), Decimal("10.00"), True), Tier(Decimal(10), Decimal("9.00"), True)]

    assert graduated_total(Decimal(-15), tiers, BASE) == Decimal("-145.00")


@given(graduated_tiers(), quantities, quantities)
def test_the_graduated_total_never_falls_as_the_quantity_grows(tiers, a, b):
    low, high = sorted((a, b))

    assert graduated_total(low, tiers, BASE) <= graduated_total(high, tiers, BASE)


@given(graduated_tiers(), quantities)
def test_the_graduated_total_is_the_sum_of_its_bands_which_cover_every_unit_once(tiers, quantity):
    bands = bands_for(quantity, tiers, BASE)

    assert graduated_total(quantity, tiers, BASE) == sum(
        (b.quantity * b.unit_price for b in bands), Decimal(0)
    )
    assert sum((b.quantity for b in bands), Decimal(0)) == quantity
    assert all(b.quantity > 0 for b in bands)
    assert all(a.end == b.start for a, b in zip(bands, bands[1:], strict=False))
    # and each band is priced by the tier it lies in (the base price below the lowest tier)
    for band in bands:
        tier = max(
            (t for t in tiers if t.from_quantity <= band.start), key=lambda t: t.from_quantity, default=None
        )
        assert band.unit_price == (BASE if tier is None else tier.unit_price)


@given(prices, quantities, st.booleans())
def test_with_one_band_graduated_pricing_is_volume_pricing(price, quantity, graduated):
    tiers = [Tier(Decimal(0), price, graduated)]

    assert graduated_total(quantity, tiers, BASE) == volume_total(quantity, tiers, BASE) == quantity * price


@given(
    st.decimals(min_value=Decimal("0.001"), max_value=9_999, places=3),
    st.decimals(min_value=0, max_value=10**7, places=6),
)
def test_the_average_unit_price_gives_the_total_to_the_cent(quantity, total):
    price = average_unit_price(quantity, total)

    assert price == price.quantize(Decimal("0.000001"))
    net = (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert net == total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_line_reaching_a_graduated_break_gets_the_average_price_and_its_bands():
    context = Context(day=dt.date(2026, 3, 15), currency="EUR", customer_id="c1")
    prices = [
        ListPrice(rule="L", currency="EUR", product_id="p1", unit_price=Decimal("10.00"), customer_id="c1",
                  list_id="l1", graduated=True),
        ListPrice(rule="L (≥ 10)", currency="EUR", product_id="p1", unit_price=Decimal("9.00"),
                  min_quantity=Decimal(10), customer_id="c1", list_id="l1", graduated=True),
        # another list's break of the same product is no band of this one
        ListPrice(rule="M (≥ 5)", currency="EUR", product_id="p1", unit_price=Decimal("1.00"),
                  min_quantity=Decimal(5), segment_id="s", list_id="l2", graduated=True),
    ]  # fmt: skip
    line = LineQuery(product_id="p1", quantity=Decimal(15), product_price=BASE)

    pricing = price_line(context, line, prices, [])

    assert pricing.source == PriceSource.PRICE_LIST
    assert [(b.quantity, b.unit_price) for b in pricing.bands] == [
        (10, Decimal("10.00")),
        (5, Decimal("9.00")),
    ]
    assert (Decimal(15) * pricing.unit_price).quantize(Decimal("0.01")) == Decimal("145.00")


def test_a_line_exactly_at_the_lowest_graduated_break_has_the_product_price():
    context = Context(day=dt.date(2026, 3, 15), currency="EUR", customer_id="c1")
    prices = [ListPrice(rule="L (≥ 10)", currency="EUR", product_id="p1", unit_price=Decimal("9.00"),
                        min_quantity=Decimal(10), customer_id="c1", list_id="l1", graduated=True)]  # fmt: skip
    line = LineQuery(product_id="p1", quantity=Decimal(10), product_price=BASE)

    pricing = price_line(context, line, prices, [])

    assert (pricing.unit_price, pricing.source, pricing.bands) == (BASE, PriceSource.PRODUCT, ())

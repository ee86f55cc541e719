"""Which price and which discount a line gets: precedence, validity bounds, quantity breaks, rounding."""

import datetime as dt
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.calculation import LineInput, line_net_amount
from facturier.domain.pricing.codes import CodeProblem, check_code
from facturier.domain.pricing.rules import (
    Context,
    Discount,
    DiscountKind,
    LineQuery,
    ListPrice,
    Loyalty,
    PriceSource,
    add_years,
    best_discount,
    price_line,
)

DAY = dt.date(2026, 3, 15)
CONTEXT = Context(day=DAY, currency="EUR", customer_id="c1", segment_ids=frozenset({"wholesale"}))
LINE = LineQuery(product_id="p1", quantity=Decimal(1), product_price=Decimal("100"))


def _price(rule: str, price: str, **fields: object) -> ListPrice:
    values: dict = {"currency": "EUR", "product_id": "p1", **fields}
    return ListPrice(rule=rule, unit_price=Decimal(price), **values)


def test_without_rules_the_product_price_applies():
    pricing = price_line(CONTEXT, LINE, [], [])

    assert (pricing.unit_price, pricing.source, pricing.discount_percent) == (
        Decimal(100),
        PriceSource.PRODUCT,
        0,
    )


def test_a_customer_price_beats_a_segment_price_even_when_dearer():
    prices = [_price("segment", "80", segment_id="wholesale"), _price("customer", "90", customer_id="c1")]

    assert price_line(CONTEXT, LINE, prices, []).price_rule == "customer"


def test_a_segment_price_beats_a_list_for_everyone():
    prices = [_price("all", "70"), _price("segment", "80", segment_id="wholesale")]

    assert price_line(CONTEXT, LINE, prices, []).price_rule == "segment"


def test_another_customers_or_segments_price_never_applies():
    prices = [_price("other", "10", customer_id="c2"), _price("retail", "20", segment_id="retail")]

    assert price_line(CONTEXT, LINE, prices, []).source == PriceSource.PRODUCT


def test_a_price_in_another_currency_never_applies():
    assert price_line(CONTEXT, LINE, [_price("usd", "50", currency="USD")], []).source == PriceSource.PRODUCT


def test_the_most_recent_list_wins_among_equally_specific_ones():
    prices = [
        _price("2025", "80", segment_id="wholesale", valid_from=dt.date(2025, 1, 1)),
        _price("2026", "85", segment_id="wholesale", valid_from=dt.date(2026, 1, 1)),
    ]

    assert price_line(CONTEXT, LINE, prices, []).price_rule == "2026"


def test_quantity_breaks_take_the_highest_break_reached():
    prices = [_price("1+", "100"), _price("10+", "90", min_quantity=Decimal(10)),
              _price("50+", "80", min_quantity=Decimal(50))]  # fmt: skip

    def unit_price(quantity: str) -> Decimal:
        line = LineQuery(product_id="p1", quantity=Decimal(quantity), product_price=Decimal(120))
        return price_line(CONTEXT, line, prices, []).unit_price

    assert [unit_price(q) for q in ("1", "9.9999", "10", "49", "50", "1000")] == [100, 100, 90, 90, 80, 80]


def test_validity_bounds_are_inclusive_days():
    price = _price("march", "50", valid_from=dt.date(2026, 3, 1), valid_until=dt.date(2026, 3, 31))

    def source(day: dt.date) -> PriceSource:
        return price_line(Context(day=day, currency="EUR", customer_id="c1"), LINE, [price], []).source

    assert source(dt.date(2026, 2, 28)) == PriceSource.PRODUCT
    assert source(dt.date(2026, 3, 1)) == PriceSource.PRICE_LIST
    assert source(dt.date(2026, 3, 31)) == PriceSource.PRICE_LIST
    assert source(dt.date(2026, 4, 1)) == PriceSource.PRODUCT


def test_a_manual_price_wins_and_takes_no_automatic_discount():
    discount = Discount(rule="all", kind=DiscountKind.PROMOTION, percent=Decimal(10))

    pricing = price_line(CONTEXT, LINE, [_price("customer", "1", customer_id="c1")], [discount],
                         manual_price=Decimal("123.45"))  # fmt: skip

    assert (pricing.unit_price, pricing.source, pricing.discount_percent) == (Decimal("123.45"), "manual", 0)


def test_the_best_single_discount_applies_never_stacked():
    discounts = [
        Discount(rule="volume", kind=DiscountKind.VOLUME, percent=Decimal(5)),
        Discount(rule="loyal", kind=DiscountKind.LOYALTY, percent=Decimal(8), loyalty=Loyalty(min_years=0)),
        Discount(rule="spring", kind=DiscountKind.PROMOTION, percent=Decimal(7)),
    ]
    context = Context(day=DAY, currency="EUR", customer_id="c1", customer_since=DAY)

    pricing = price_line(context, LINE, [], discounts)

    assert (pricing.discount_percent, pricing.discount_rule) == (Decimal(8), "loyal")


def test_on_a_tie_a_code_beats_an_automatic_promotion_beats_loyalty_beats_volume():
    kinds = [DiscountKind.VOLUME, DiscountKind.LOYALTY, DiscountKind.PROMOTION, DiscountKind.PROMOTION_CODE]
    discounts = [Discount(rule=kind.value, kind=kind, percent=Decimal(5), code="HELLO" if kind == "promotion_code"
                          else "", loyalty=Loyalty(min_invoiced=Decimal(0))) for kind in kinds]  # fmt: skip
    with_code = Context(day=DAY, currency="EUR", customer_id="c1", promotion_code=" hello ")

    assert best_discount(with_code, LINE, discounts).rule == "promotion_code"  # type: ignore[union-attr]
    assert best_discount(CONTEXT, LINE, discounts).rule == "promotion"  # type: ignore[union-attr]
    assert best_discount(CONTEXT, LINE, discounts[:2]).rule == "loyalty"  # type: ignore[union-attr]


def test_volume_discount_tiers_take_the_highest_tier_reached():
    tiers = [Discount(rule=f"{q}+", kind=DiscountKind.VOLUME, percent=Decimal(p), min_quantity=Decimal(q))
             for q, p in ((10, 5), (100, 10))]  # fmt: skip

    def percent(quantity: int) -> Decimal:
        line = LineQuery(product_id="p1", quantity=Decimal(quantity), product_price=Decimal(1))
        return price_line(CONTEXT, line, [], tiers).discount_percent

    assert [percent(q) for q in (9, 10, 99, 100)] == [0, 5, 5, 10]


def test_loyalty_needs_the_amount_over_twelve_months_and_the_years():
    rule = Loyalty(min_invoiced=Decimal(10000), min_years=2)
    since = dt.date(2024, 2, 29)

    def holds(day: dt.date, invoiced: str) -> bool:
        return rule.holds(Context(day=day, currency="EUR", customer_id="c1", customer_since=since,
                                  invoiced_last_12_months=Decimal(invoiced)))  # fmt: skip

    assert not holds(dt.date(2026, 2, 27), "10000")
    assert holds(dt.date(2026, 2, 28), "10000")  # 29 Feb + 2 years = 28 Feb
    assert not holds(dt.date(2026, 2, 28), "9999.99")
    assert not Loyalty().holds(CONTEXT)


def test_a_code_promotion_needs_its_code():
    promotion = Discount(
        rule="WELCOME", kind=DiscountKind.PROMOTION_CODE, percent=Decimal(15), code="WELCOME"
    )

    assert price_line(CONTEXT, LINE, [], [promotion]).discount_percent == 0
    with_code = Context(day=DAY, currency="EUR", customer_id="c1", promotion_code="welcome")
    assert price_line(with_code, LINE, [], [promotion]).discount_rule == "WELCOME"


def test_codes_are_refused_with_the_reason():
    promotions = [
        Discount(rule="old", kind=DiscountKind.PROMOTION_CODE, percent=Decimal(5), code="OLD",
                 valid_until=dt.date(2026, 3, 14)),
        Discount(rule="soon", kind=DiscountKind.PROMOTION_CODE, percent=Decimal(5), code="SOON",
                 valid_from=dt.date(2026, 3, 16)),
        Discount(rule="vip", kind=DiscountKind.PROMOTION_CODE, percent=Decimal(5), code="VIP", customer_id="c2"),
        Discount(rule="ok", kind=DiscountKind.PROMOTION_CODE, percent=Decimal(5), code="OK",
                 valid_from=DAY, valid_until=DAY),
    ]  # fmt: skip

    def problem(code: str) -> CodeProblem | None:
        return check_code(Context(day=DAY, currency="EUR", customer_id="c1", promotion_code=code), promotions)

    assert [problem(c) for c in ("", "NOPE", "old", "SOON", "VIP", "ok")] == [
        None, CodeProblem.UNKNOWN, CodeProblem.EXPIRED, CodeProblem.NOT_YET_VALID, CodeProblem.NOT_FOR_CUSTOMER, None
    ]  # fmt: skip


@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 100), st.integers(0, 100_000)), min_size=1, max_size=8
    ),
    st.randoms(use_true_random=False),
)
def test_the_price_chosen_never_depends_on_the_order_of_the_rules(specs, rnd):
    prices = [_price(f"r{i}", str(Decimal(cents) / 100), min_quantity=Decimal(q),
                     **({} if scope == 0 else {"segment_id": "wholesale"} if scope == 1 else {"customer_id": "c1"}))
              for i, (scope, q, cents) in enumerate(specs)]  # fmt: skip
    line = LineQuery(product_id="p1", quantity=Decimal(50), product_price=Decimal(1))
    shuffled = list(prices)
    rnd.shuffle(shuffled)

    first, second = price_line(CONTEXT, line, prices, []), price_line(CONTEXT, line, shuffled, [])

    assert first == second
    reachable = [p for p in prices if p.min_quantity <= 50]
    if reachable:
        best_scope = max(p.scope_for(CONTEXT) for p in reachable)  # type: ignore[type-var]
        chosen = next(p for p in prices if p.rule == first.price_rule)
        assert chosen.scope_for(CONTEXT) == best_scope


@given(
    st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False),
    st.decimals(min_value=0, max_value=100_000, places=6, allow_nan=False),
    st.lists(st.decimals(min_value=0, max_value=100, places=2, allow_nan=False), max_size=5),
)
def test_the_discounted_line_amount_has_two_decimals_and_never_exceeds_the_gross(quantity, price, percents):
    discounts = [
        Discount(rule=f"d{i}", kind=DiscountKind.PROMOTION, percent=p) for i, p in enumerate(percents)
    ]
    line = LineQuery(product_id="p1", quantity=quantity, product_price=price)

    pricing = price_line(CONTEXT, line, [], discounts)
    net = line_net_amount(LineInput(quantity=quantity, unit_price=pricing.unit_price, vat_category="S",
                                    vat_rate=Decimal(20), discount_percent=pricing.discount_percent))  # fmt: skip

    assert pricing.discount_percent == max([p for p in percents if p > 0], default=Decimal(0))
    assert net == net.quantize(Decimal("0.01"))
    assert 0 <= net <= (quantity * price).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


@given(st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(0, 100))
def test_add_years_stays_within_three_days_of_the_anniversary(day, years):
    later = add_years(day, years)

    assert later.year == day.year + years
    assert (later.month, later.day) in ((day.month, day.day), (2, 28))

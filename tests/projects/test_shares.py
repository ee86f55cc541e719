"""Shares of a fixed price: never more than the price, the balance takes what is left (hypothesis)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.projects.shares import (
    Share,
    ShareKind,
    SharesExceeded,
    balance_amount,
    billed_net,
    check_shares,
    share_amount,
)

prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)
percents = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100"), places=2)


@given(prices, st.lists(percents, min_size=1, max_size=8))
def test_percentages_up_to_100_never_bill_more_than_the_price(price, raw):
    # given percentages scaled down so that they add up to at most 100 %
    total = sum(raw)
    scaled = [
        p if total <= 100 else (p * 100 / total).quantize(Decimal("0.01"), rounding="ROUND_DOWN") for p in raw
    ]
    scaled = [p for p in scaled if p > 0] or [Decimal("1")]
    shares = [Share(ShareKind.INSTALMENT, share_amount(price, percent=p)) for p in scaled]
    # then they are accepted, and with the balance they bill exactly the price
    check_shares(price, shares)
    assert sum(s.amount for s in shares) <= price
    assert billed_net(price, [*shares, Share(ShareKind.BALANCE, Decimal(0))]) == price
    assert balance_amount(price, shares) >= 0


@given(
    prices,
    st.lists(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2), max_size=6),
)
def test_any_accepted_set_of_amounts_bills_at_most_the_price(price, amounts):
    shares = [Share(ShareKind.INSTALMENT, a) for a in amounts]
    if sum(amounts, Decimal(0)) > price:
        with pytest.raises(SharesExceeded) as caught:
            check_shares(price, shares)
        assert caught.value.excess == sum(amounts, Decimal(0)) - price
    else:
        check_shares(price, shares)
        assert billed_net(price, shares) <= price


def test_half_up_rounding_would_exceed_the_price_rounding_down_does_not():
    # 50.5 % + 49.5 % of 1.00: 0.505 and 0.495 round half up to 0.51 + 0.50 = 1.01
    shares = [
        share_amount(Decimal("1.00"), percent=Decimal("50.5")),
        share_amount(Decimal("1.00"), percent=Decimal("49.5")),
    ]
    assert shares == [Decimal("0.50"), Decimal("0.49")]
    assert balance_amount(Decimal("1.00"), [Share(ShareKind.INSTALMENT, s) for s in shares]) == Decimal(
        "0.01"
    )


def test_deposits_may_not_exceed_the_balance_that_deducts_them():
    price = Decimal("1000.00")
    shares = [Share(ShareKind.INSTALMENT, Decimal("800.00")), Share(ShareKind.DEPOSIT, Decimal("300.00"))]
    with pytest.raises(SharesExceeded) as caught:
        check_shares(price, shares)
    assert caught.value.kind == ShareKind.DEPOSIT
    assert caught.value.excess == Decimal("100.00")


def test_a_share_is_a_percentage_or_an_amount():
    with pytest.raises(ValueError, match="not both"):
        share_amount(Decimal(100), percent=Decimal(10), amount=Decimal(10))
    with pytest.raises(ValueError, match="percentage"):
        share_amount(Decimal(100), percent=Decimal(0))
    with pytest.raises(ValueError, match="positive"):
        share_amount(Decimal(100), amount=Decimal("-1"))
    assert share_amount(Decimal("1000.05"), percent=Decimal(30)) == Decimal("300.01")

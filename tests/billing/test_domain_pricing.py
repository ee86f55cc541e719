"""Period prices: flat, per unit, tiered (graduated) and volume."""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.billing.pricing import InvalidTiers, period_price

TIERS = [
    {"up_to": 10, "unit_price": "5"},
    {"up_to": 50, "unit_price": "4"},
    {"up_to": None, "unit_price": "3"},
]


def test_graduated_tiers_price_each_unit_in_its_own_tier():
    assert period_price("tiered", quantity=Decimal(60), unit_price=Decimal(0), tiers=TIERS) == Decimal(
        10 * 5 + 40 * 4 + 10 * 3
    )


def test_volume_tiers_price_every_unit_at_the_tier_the_quantity_reaches():
    assert period_price("volume", quantity=Decimal(60), unit_price=Decimal(0), tiers=TIERS) == Decimal(180)
    assert period_price("volume", quantity=Decimal(10), unit_price=Decimal(0), tiers=TIERS) == Decimal(50)


def test_flat_ignores_the_quantity_and_per_unit_multiplies():
    assert period_price("flat", quantity=Decimal(7), unit_price=Decimal("99.90")) == Decimal("99.90")
    assert period_price("per_unit", quantity=Decimal(7), unit_price=Decimal("9.99")) == Decimal("69.93")


def test_a_tier_flat_fee_is_charged_once_reached():
    tiers = [{"up_to": 5, "unit_price": "0", "flat": "20"}, {"up_to": None, "unit_price": "2", "flat": "10"}]
    assert period_price("tiered", quantity=Decimal(3), unit_price=Decimal(0), tiers=tiers) == Decimal(20)
    assert period_price("tiered", quantity=Decimal(8), unit_price=Decimal(0), tiers=tiers) == Decimal(36)


@pytest.mark.parametrize("tiers", [[], [{"up_to": 10, "unit_price": "1"}], [{"up_to": None, "unit_price": "1"},
                                   {"up_to": 5, "unit_price": "1"}], [{"up_to": None, "unit_price": "-1"}]])  # fmt: skip
def test_malformed_tiers_are_refused(tiers):
    with pytest.raises(InvalidTiers):
        period_price("tiered", quantity=Decimal(1), unit_price=Decimal(0), tiers=tiers)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=500))
def test_graduated_price_equals_the_sum_of_unit_by_unit_prices(quantity):
    by_unit = sum(
        Decimal(5) if unit <= 10 else Decimal(4) if unit <= 50 else Decimal(3)
        for unit in range(1, quantity + 1)
    )
    assert period_price("tiered", quantity=Decimal(quantity), unit_price=Decimal(0), tiers=TIERS) == by_unit

"""CFONB amounts: the last character carries the last digit and the sign."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.banking.cfonb import decode_amount, encode_amount
from facturier.domain.banking.statement import StatementError


@pytest.mark.parametrize(
    ("field", "decimals", "amount"),
    [
        ("0000000166956E", 2, Decimal("16695.65")),
        ("0000000000322J", 2, Decimal("-32.21")),
        ("0000000020000}", 2, Decimal("-2000.00")),
        ("0000000040000{", 2, Decimal("4000.00")),
        ("0000000000000{", 2, Decimal("0.00")),
        ("0000000000012R", 0, Decimal("-129")),
        ("0000000000012I", 3, Decimal("0.129")),
    ],
)
def test_known_amounts(field: str, decimals: int, amount: Decimal) -> None:
    assert decode_amount(field, decimals) == amount
    assert encode_amount(amount, decimals) == field


@pytest.mark.parametrize("field", ["0000000000012", "000000000001 A", "0000000000012Z", "-000000000012A", ""])
def test_malformed_amounts_are_refused(field: str) -> None:
    with pytest.raises(StatementError):
        decode_amount(field, 2)


@given(units=st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1), decimals=st.integers(0, 6))
def test_amounts_round_trip(units: int, decimals: int) -> None:
    amount = Decimal(units).scaleb(-decimals)
    field = encode_amount(amount, decimals)
    assert len(field) == 14
    assert decode_amount(field, decimals) == amount


@given(digits=st.text("0123456789", min_size=13, max_size=13), last=st.sampled_from("{ABCDEFGHI}JKLMNOPQR"))
def test_every_field_decodes_and_reencodes(digits: str, last: str) -> None:
    field = digits + last
    amount = decode_amount(field, 2)
    if amount == 0:  # a "negative zero" is written back as a positive one
        assert encode_amount(amount, 2) == "0000000000000{"
    else:
        assert encode_amount(amount, 2) == field

"""The providers' pure pieces: minor units both ways, Stripe's signature over any body."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.payments.providers.base import SignatureInvalid, from_minor, to_minor
from facturier.payments.providers.stripe import sign, verify

AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2)


@given(amount=AMOUNTS, currency=st.sampled_from(["EUR", "usd", "GBP"]))
def test_an_amount_survives_the_trip_to_cents_and_back(amount, currency):
    assert from_minor(to_minor(amount, currency), currency) == amount
    assert to_minor(amount, currency) == int(amount * 100)


def test_zero_decimal_currencies_are_sent_in_units():
    assert to_minor(Decimal("1500"), "JPY") == 1500
    assert from_minor(1500, "jpy") == Decimal("1500.00")


@given(
    body=st.binary(max_size=300), secret=st.text(min_size=1, max_size=40), at=st.integers(1, 2_000_000_000)
)
def test_a_stripe_signature_verifies_its_body_only(body, secret, at):
    header = sign(body, secret, at)
    verify(body, header, secret, now=at + 299)
    with pytest.raises(SignatureInvalid):
        verify(body + b"x", header, secret, now=at)
    with pytest.raises(SignatureInvalid):
        verify(body, header, secret + "x", now=at)

"""Amount inputs read "1 234,56" in French and "1,234.56" in English, and show amounts the same way.

The payment and share-capital inputs use the editor's field (`web.forms.fields`), with `amount=True`
so an amount always shows its two decimals.
"""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from facturier.web.forms.fields import LocalizedDecimalField
from facturier.web.numbers import NumberInputError, format_number, parse_number

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


@given(amount=amounts, language=st.sampled_from(["fr", "en"]))
def test_an_amount_shown_in_an_input_reads_back_as_the_same_amount(amount, language):
    # given an amount as an amount input shows it, then parsing it gives the amount back
    assert parse_number(format_number(amount, language, places=2), language) == amount


@given(amount=amounts)
def test_french_input_accepts_every_usual_spacing_and_a_point(amount):
    # given a French amount written with plain, no-break, narrow no-break or no spaces, or a decimal point
    shown = format_number(amount, "fr", places=2).replace("\u202f", " ")
    for variant in (shown.replace(" ", "\u202f"), shown.replace(" ", "\xa0"), shown.replace(" ", ""),
                    shown.replace(" ", "").replace(",", ".")):  # fmt: skip
        # then each reads as the same amount
        assert parse_number(variant, "fr") == amount


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("fr", "1 234,56", "1234.56"),
        ("fr", "1234,5", "1234.5"),
        ("fr", "1234.56", "1234.56"),
        ("fr", "−12,00 €", "-12.00"),
        ("en", "1,234.56", "1234.56"),
        ("en", "1234.56", "1234.56"),
        ("en", "€99", "99"),
    ],
)
def test_amounts_are_read_as_each_language_writes_them(language, text, expected):
    assert parse_number(text, language) == Decimal(expected)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "1.234"),  # a thousand or one point two three four: refused, never guessed
        ("fr", "12 34,5"),  # groups of three only
        ("fr", "1,2,3"),
        ("fr", "abc"),
        ("fr", ","),
    ],
)
def test_ambiguous_or_malformed_amounts_are_refused(language, text):
    with pytest.raises(NumberInputError):
        parse_number(text, language)


class PaymentLikeForm(forms.Form):
    amount = LocalizedDecimalField(max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True)


def test_the_field_shows_a_long_decimal_rounded_in_the_page_language_and_validates_typed_text():
    # given an initial amount with many trailing digits (as a calculation returns it)
    with translation.override("fr"):
        form = PaymentLikeForm(initial={"amount": Decimal("3845.6100000000000")})
        # then the input shows it as a French reader writes it, with its two decimals
        assert format_number(Decimal("3845.61"), "fr") in str(form["amount"])
        assert PaymentLikeForm(initial={"amount": Decimal("150000")})["amount"].value() == Decimal("150000")
        assert format_number(Decimal("150000"), "fr", places=2) in str(
            PaymentLikeForm(initial={"amount": Decimal("150000")})["amount"]
        )
        # when a French user types an amount back, then it is read
        assert PaymentLikeForm({"amount": "3 845,61"}).is_valid()
        # then too many decimals are still an error (not silently rounded)
        assert not PaymentLikeForm({"amount": "12,345"}).is_valid()
    with translation.override("en"):
        assert 'value="3,845.61"' in str(PaymentLikeForm(initial={"amount": Decimal("3845.61")})["amount"])
        bound = PaymentLikeForm({"amount": "abc"})
        assert not bound.is_valid()
        assert "amount" in bound.errors

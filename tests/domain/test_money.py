import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.money import (
    CURRENCY_CODES,
    TWO_PLACES,
    AmountPrecisionError,
    InvalidCurrency,
    check_amount,
    round_amount,
    to_decimal,
    validate_currency,
)

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"


def test_currency_table_holds_active_codes_and_not_withdrawn_ones():
    # given the shipped ISO 4217 table
    # then current currencies are in it and withdrawn ones (French franc, Deutsche Mark) are not
    assert {"EUR", "USD", "GBP", "CHF", "JPY", "XOF", "XPF"} <= CURRENCY_CODES
    assert "FRF" not in CURRENCY_CODES
    assert "DEM" not in CURRENCY_CODES
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in CURRENCY_CODES)


def test_currency_table_matches_the_en16931_schematron_code_list():
    # given the official CEN schematron, whose rule BR-CL-04 lists the accepted currency codes
    sch_dir = SHARED / "conformance" / "en16931" / "cii" / "schematron"
    if not sch_dir.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(sch_dir.rglob("*.sch")))
    # when the list of rule BR-CL-04 is extracted
    match = re.search(r'id="BR-CL-04"[^>]*test="[^"]*contains\(\' ([A-Z ]+) \'', text)
    assert match is not None
    # then our table is exactly that list
    assert frozenset(match.group(1).split()) == CURRENCY_CODES


def test_validate_currency_upper_cases_a_known_code():
    # given a lower-case code with spaces / when validated / then it comes back normalized
    assert validate_currency(" eur ") == "EUR"


@pytest.mark.parametrize("code", ["FRF", "EURO", "", "ABC"])
def test_validate_currency_refuses_unknown_codes_with_a_clear_message(code):
    # given text that is not an accepted ISO 4217 code / when validated / then it is refused
    with pytest.raises(InvalidCurrency, match="ISO 4217"):
        validate_currency(code)


def test_invalid_currency_is_a_value_error():
    assert issubclass(InvalidCurrency, ValueError)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.015", "0.02"),
        ("2.345", "2.35"),
        ("-2.345", "-2.35"),
        ("2.344999", "2.34"),
        ("10", "10.00"),
        ("-0.004", "0.00"),
    ],
)
def test_round_amount_rounds_half_away_from_zero_to_the_cent(value, expected):
    # given an amount / when rounded / then ROUND_HALF_UP to two decimals (not banker's rounding)
    result = round_amount(Decimal(value))
    assert str(result) == expected


def test_round_amount_never_returns_negative_zero():
    # given a tiny negative amount / when rounded / then the result prints as 0.00
    assert str(round_amount(Decimal("-0.001"))) == "0.00"


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False, allow_infinity=False, places=6))
def test_round_amount_is_within_half_a_cent_and_has_two_decimals(value):
    # given any amount / when rounded / then at most half a cent moved and exactly two decimals
    rounded = round_amount(value)
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == rounded.quantize(TWO_PLACES)
    assert rounded.as_tuple().exponent == -2


def test_check_amount_accepts_an_amount_within_limits_and_returns_it():
    value = Decimal("12345678901234.50")
    assert check_amount(value) is value


def test_check_amount_ignores_trailing_zeros():
    assert check_amount(Decimal("1.500000")) == Decimal("1.5")


def test_check_amount_refuses_too_many_decimals_naming_the_field():
    # given three decimals on a two-decimal field / when checked / then the error names the field
    with pytest.raises(AmountPrecisionError, match=r"unit_price.*3 decimals"):
        check_amount(Decimal("1.234"), field="unit_price")


def test_check_amount_allows_more_places_when_asked():
    assert check_amount(Decimal("1.123456"), places=6) == Decimal("1.123456")
    with pytest.raises(AmountPrecisionError):
        check_amount(Decimal("1.1234567"), places=6)


def test_check_amount_refuses_too_many_integer_digits():
    # given 15 integer digits where 14 are allowed / then it is refused
    with pytest.raises(AmountPrecisionError, match=r"total.*15 integer digits"):
        check_amount(Decimal("-123456789012345"), field="total")


def test_check_amount_refuses_more_significant_digits_than_every_database_keeps_exactly():
    # 9 integer digits and 6 decimals fit; one digit more would be rounded by SQLite's float storage
    assert check_amount(Decimal("123456789.123456"), places=6) == Decimal("123456789.123456")
    with pytest.raises(AmountPrecisionError, match="16 significant digits, at most 15"):
        check_amount(Decimal("12080253044.33696"), places=6, field="unit price")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "sNaN"])
def test_check_amount_refuses_non_finite_values(value):
    with pytest.raises(AmountPrecisionError, match="finite"):
        check_amount(Decimal(value))


def test_check_amount_accepts_zero_and_sub_unit_amounts():
    assert check_amount(Decimal("0.00"), max_integer_digits=0) == 0
    assert check_amount(Decimal("0.99"), max_integer_digits=0) == Decimal("0.99")


def test_to_decimal_refuses_float():
    # given a float / when converted / then TypeError: money never comes from float
    with pytest.raises(TypeError, match="float"):
        to_decimal(0.1)  # type: ignore[arg-type]


def test_to_decimal_refuses_bool():
    with pytest.raises(TypeError):
        to_decimal(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"), [("19.99", Decimal("19.99")), (" 3 ", Decimal(3)), (42, Decimal(42))]
)
def test_to_decimal_converts_text_and_integers_exactly(value, expected):
    assert to_decimal(value) == expected


def test_to_decimal_returns_a_decimal_unchanged():
    value = Decimal("1.10")
    assert to_decimal(value) is value


@pytest.mark.parametrize("value", ["abc", "1,5", "NaN", "Infinity"])
def test_to_decimal_refuses_text_that_is_not_a_finite_number(value):
    with pytest.raises(ValueError, match="not a"):
        to_decimal(value)

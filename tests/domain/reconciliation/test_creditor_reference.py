import pytest
from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.creditor_reference import (
    InvalidCreditorReference,
    check_digits,
    from_invoice_number,
    is_valid,
    normalize,
    printed,
    validate,
)


def test_the_iso_11649_example_is_valid_in_electronic_and_printed_form():
    # given the example of the standard, then both forms are valid and normalise to the same
    assert is_valid("RF18539007547034")
    assert is_valid("RF18 5390 0754 7034")
    assert is_valid("rf18 5390 0754 7034")
    assert normalize("rf18 5390 0754 7034") == "RF18539007547034"
    assert check_digits("539007547034") == "18"


def test_wrong_check_digits_or_shape_are_refused_with_a_reason():
    assert not is_valid("RF19539007547034")
    assert not is_valid("RF18")
    assert not is_valid("XX18539007547034")
    assert not is_valid("RF18" + "1" * 22)
    with pytest.raises(InvalidCreditorReference, match="check digits"):
        validate("RF19539007547034")
    with pytest.raises(InvalidCreditorReference, match="start with RF"):
        validate("539007547034")


def test_reference_of_an_invoice_number_keeps_its_letters_and_digits():
    # given an invoice number with separators, when the RF reference is built
    reference = from_invoice_number("FAC-2026-00042")
    # then it is RF, check digits and the number's letters and digits, and it validates
    assert reference == "RF78FAC202600042"
    assert validate(reference) == reference
    assert printed(reference) == "RF78 FAC2 0260 0042"


def test_a_number_too_long_for_a_reference_is_refused():
    with pytest.raises(InvalidCreditorReference, match="21"):
        from_invoice_number("FAC-2026-" + "9" * 20)
    with pytest.raises(InvalidCreditorReference):
        from_invoice_number("--/")


numbers = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-/_ ", max_size=30
).filter(lambda text: 1 <= sum(char.isalnum() for char in text) <= 21)


@given(numbers)
def test_every_reference_built_from_a_number_validates(number):
    reference = from_invoice_number(number)
    assert is_valid(reference)
    assert is_valid(printed(reference))


@given(numbers, st.data())
def test_any_single_character_changed_is_detected(number, data):
    # MOD 97-10 detects every digit replaced by another digit, and every letter by another letter
    reference = from_invoice_number(number)
    at = data.draw(st.integers(min_value=2, max_value=len(reference) - 1))
    same_kind = "0123456789" if reference[at].isdigit() else "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    replacement = data.draw(st.sampled_from(same_kind).filter(lambda c: c != reference[at]))
    assert not is_valid(reference[:at] + replacement + reference[at + 1 :])

"""Numbers in the editor as a French (or English) finance team writes them: shown `1 234,56`, and
read back whether typed `1 234,56`, `1234,56`, `1 234.56` or `1,234.56`; ambiguous input refused
with a message in the reader's language, never guessed."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from facturier.invoicing.models import Document
from facturier.web.forms.fields import LocalizedDecimalField
from facturier.web.numbers import NumberInputError, format_number, parse_number

amounts = st.integers(min_value=0, max_value=6).flatmap(
    lambda places: st.decimals(
        min_value=Decimal("-99999999999999"),
        max_value=Decimal("99999999999999"),
        places=places,
        allow_nan=False,
        allow_infinity=False,
    )  # fmt: skip
)


@given(value=amounts, language=st.sampled_from(["fr", "en"]))
def test_a_number_written_in_a_language_reads_back_as_the_same_decimal(value, language):
    # when a Decimal is written as the reader of `language` expects, then read back
    written = format_number(value, language)
    # then it is the same number, never a float's approximation
    assert parse_number(written, language) == value


@given(
    text=st.text(alphabet="0123456789 .,-+\u202f\xa0e", max_size=20), language=st.sampled_from(["fr", "en"])
)
def test_any_text_is_a_decimal_or_a_clear_refusal(text, language):
    # whatever is typed, the answer is an exact Decimal or NumberInputError, never a crash or a float
    try:
        value = parse_number(text, language)
    except NumberInputError:
        return
    assert isinstance(value, Decimal)
    assert value.is_finite()


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("1 234,56", "fr", "1234.56"),
        ("1\u202f234,56", "fr", "1234.56"),
        ("1\xa0234,56", "fr", "1234.56"),
        ("1234,56", "fr", "1234.56"),
        ("1 234.56", "fr", "1234.56"),
        ("1,234.56", "fr", "1234.56"),
        ("0.125", "fr", "0.125"),
        ("-12,5", "fr", "-12.5"),
        ("1,234.56", "en", "1234.56"),
        ("1234.56", "en", "1234.56"),
        ("1 234.56", "en", "1234.56"),
        ("1,234", "en", "1234"),
        ("1.234", "en", "1.234"),
        ("1,234", "fr", "1.234"),
    ],
)
def test_what_people_type_is_read_as_they_mean_it(text, language, expected):
    assert parse_number(text, language) == Decimal(expected)


@pytest.mark.parametrize("text", ["abc", "1e5", "NaN", "12 34", "1,2,3", "1.2.3", "12.", "--1", "١٢", ""])
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(NumberInputError) as raised:
        parse_number(text, "fr")
    assert not raised.value.ambiguous


def test_a_lone_dot_before_three_digits_is_ambiguous_in_french():
    # "1.234" is one point two three four, or a thousand two hundred and thirty-four written the German way
    with pytest.raises(NumberInputError) as raised:
        parse_number("1.234", "fr")
    assert raised.value.ambiguous


def test_the_field_explains_an_ambiguous_or_invalid_number_in_the_readers_language():
    field = LocalizedDecimalField(max_digits=20, decimal_places=6)
    with translation.override("fr"):
        assert field.clean("1 234,56") == Decimal("1234.56")
        errors = field.widget.format_value(Decimal("1234.56")), _errors(field, "1.234"), _errors(field, "abc")
    assert errors[0] == "1\u202f234,56"
    assert errors[1] == [
        "« 1.234 » se lit de deux façons : écrivez 1\u202f234 pour des milliers ou 1,234 pour des décimales."
    ]
    assert errors[2] == ["« abc » n'est pas un nombre : écrivez-le comme 1\u202f234,56."]
    with translation.override("en"):
        assert field.clean("1,234.56") == Decimal("1234.56")
        assert field.widget.format_value(Decimal("1234.56")) == "1,234.56"
        assert _errors(field, "abc") == ["“abc” is not a number: write it like 1,234.56."]


def _errors(field, text):
    from django.core.exceptions import ValidationError

    try:
        field.clean(text)
    except ValidationError as error:
        return error.messages
    raise AssertionError(f"{text!r} was accepted")


def test_the_editor_shows_prices_in_french_and_reads_them_back(owner_client, entity, customer):
    # when an invoice is saved with amounts typed the French way
    data = {
        "customer": str(customer.pk), "type_code": "380",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-description": "Audit", "lines-0-quantity": "1,5", "lines-0-unit_price": "1 234,56",
        "lines-0-vat_rate": "20",
    }  # fmt: skip
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 302
    document = Document.objects.get(entity=entity)
    line = document.lines.get()
    assert (line.quantity, line.unit_price) == (Decimal("1.5"), Decimal("1234.56"))
    # then the editor shows them back the French way, never as raw Decimals
    page = owner_client.get(reverse("web:document-edit", kwargs={"pk": document.pk})).content.decode()
    assert 'name="lines-0-unit_price" value="1\u202f234,56"' in page
    assert 'name="lines-0-quantity" value="1,5"' in page
    assert "1234.56" not in page  # nor "1234.560000"
    # and the English reader gets them the English way
    owner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = owner_client.get(reverse("web:document-edit", kwargs={"pk": document.pk})).content.decode()
    assert 'name="lines-0-unit_price" value="1,234.56"' in page


def test_an_ambiguous_price_is_a_form_error_and_nothing_is_written(owner_client, customer):
    data = {
        "customer": str(customer.pk), "type_code": "380",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-description": "Audit", "lines-0-quantity": "1", "lines-0-unit_price": "1.234",
    }  # fmt: skip
    response = owner_client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 200
    assert response.context["editor"].lines.forms[0].errors["unit_price"][0].startswith("« 1.234 » se lit")
    assert not Document.objects.exists()


def test_live_totals_read_french_amounts(owner_client, customer):
    data = {
        "kind": "invoice", "customer": str(customer.pk),
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-description": "Audit", "lines-0-quantity": "2", "lines-0-unit_price": "1 000,25",
        "lines-0-vat_rate": "20",
    }  # fmt: skip
    body = owner_client.post(reverse("web:document-totals"), data).json()
    assert body["ok"], body
    assert body["tax_exclusive"] == "2000.50"
    assert body["display"]["tax_exclusive"].replace("\u202f", " ").replace("\xa0", " ") == "2 000,50 €"

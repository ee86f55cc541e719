"""The template filters that turn amounts, dates and codes into text, in French and in English."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from facturier.web.templatetags import facturier_format as f


def plain(text: str) -> str:
    """Babel's no-break and narrow no-break spaces as plain spaces, for readable assertions."""
    return re.sub(r"[\u202f\xa0]", " ", text)


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("fr", "1234.56", "EUR", "1 234,56 €"),
        ("en", "1234.56", "EUR", "€1,234.56"),
        ("fr", "-1234.5", "EUR", "-1 234,50 €"),
        ("en", "-1234.5", "EUR", "-€1,234.50"),
        ("fr", "1234.56", "USD", "1 234,56 $US"),
        ("en", "1234.56", "USD", "US$1,234.56"),
        ("fr", "1234", "JPY", "1 234 JPY"),
        ("en", "1234", "JPY", "JP¥1,234"),
        ("fr", "3845.6100000000000", "EUR", "3 845,61 €"),
        ("fr", "0", "EUR", "0,00 €"),
    ],
)
def test_money_is_written_the_way_each_language_writes_it(language, amount, currency, expected):
    # given an amount as the database or a calculation gives it
    with translation.override(language):
        # then it reads with the language's separators and the currency's own decimals
        assert plain(f.money(Decimal(amount), currency)) == expected


def test_money_of_nothing_is_empty_and_a_float_is_refused():
    # given no amount, then nothing is shown
    assert f.money(None) == ""
    # given a float (a bug upstream: money is Decimal), then it fails loudly instead of rounding silently
    with pytest.raises(TypeError):
        f.money(0.1)


@pytest.mark.parametrize(
    ("language", "expected_day", "expected_moment"),
    [("fr", "06/12/2026", "06/12/2026 15:05"), ("en", "6 Dec 2026", "6 Dec 2026, 15:05")],
)
def test_dates_are_day_first_in_both_languages(language, expected_day, expected_moment):
    # given a date and an instant (14:05 UTC is 15:05 in Paris in December)
    instant = dt.datetime(2026, 12, 6, 14, 5, tzinfo=dt.UTC)
    with translation.override(language), timezone.override("Europe/Paris"):
        # then the day comes first, never the American month first
        assert f.day(dt.date(2026, 12, 6)) == expected_day
        assert f.moment(instant) == expected_moment
        assert f.day(None) == ""


@pytest.mark.parametrize(
    ("language", "category", "rate", "expected"),
    [
        ("fr", "S", "20.00", "TVA 20 %"),
        ("en", "S", "20.00", "VAT 20%"),
        ("fr", "S", "5.50", "TVA 5,5 %"),
        ("fr", "AE", "0.00", "Autoliquidation"),
        ("en", "AE", "0.00", "Reverse charge"),
        ("fr", "E", "0", "Exonéré"),
        ("fr", "K", "0", "Livraison intracommunautaire"),
        ("fr", "O", "0", "Hors champ de la TVA"),
    ],
)
def test_vat_categories_are_named_not_coded(language, category, rate, expected):
    with translation.override(language):
        assert plain(f.vat_label(category, rate)) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", ("Facture", "Avoir", "Facture rectificative", "Facture d'acompte", "Autofacture", "999")),
     ("en", ("Invoice", "Credit note", "Corrective invoice", "Deposit invoice", "Self-billed invoice", "999"))],
)  # fmt: skip
def test_document_type_codes_are_named(language, expected):
    with translation.override(language):
        assert (
            tuple(f.type_code_label(code) for code in ("380", "381", "384", "386", "389", "999")) == expected
        )


def test_countries_currencies_and_severities_are_named_in_the_page_language():
    with translation.override("fr"):
        assert (f.country_name("BE"), f.currency_name("EUR"), f.severity_label("warning")) == (
            "Belgique", "euro (EUR)", "Avertissement"
        )  # fmt: skip
    with translation.override("en"):
        assert (f.country_name("BE"), f.currency_name("USD"), f.severity_label("error")) == (
            "Belgium", "US Dollar (USD)", "Error"
        )  # fmt: skip
    # an unknown code is shown as it is rather than hidden
    assert f.country_name("XX") == "XX"


def test_quantities_and_rates_keep_only_meaningful_decimals():
    with translation.override("fr"):
        assert (f.quantity(Decimal("1.500000")), plain(f.percent(Decimal("2.10")))) == ("1,5", "2,1 %")
    with translation.override("en"):
        assert (f.quantity(Decimal("1234.250000")), f.percent(Decimal("20.00"))) == ("1,234.25", "20%")

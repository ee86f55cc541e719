"""Amount inputs in the reader's language: "1 234,56" in French, "1,234.56" in English, never "3845.6100000".

Django's DecimalField shows `str(Decimal)` and reads only "1234.56"; a French finance team types
"1 234,56". Parsing is strict where a slip would change the amount: an English "1,5" is refused
rather than read as fifteen, and grouping must be in threes.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_decimal
from django import forms
from django.core.exceptions import ValidationError

from facturier.web.templatetags.facturier_format import LOCALES, page_language

# Spaces a French number may be grouped with: plain, no-break, narrow no-break, thin.
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]")
_MINUS = ("-", "\u2212")
_GROUPED = re.compile(r"^\d{1,3}(?:,\d{3})*$|^\d{1,3}(?: \d{3})*$|^\d+$")


class AmountError(ValueError):
    """The text is not an amount in the language it was typed in."""


def parse_amount(text: str, language: str) -> Decimal:
    """'1 234,56' (fr) or '1,234.56' (en) -> Decimal('1234.56'); a French '1234.56' is read too.

    A currency sign typed with the amount (€) is ignored. Raises AmountError on anything ambiguous.
    """
    cleaned = text.strip().replace("€", "").strip()
    negative = cleaned.startswith(_MINUS)
    if negative:
        cleaned = cleaned[1:].strip()
    cleaned = _SPACES.sub(" ", cleaned)
    if language == "en":
        integer, _dot, fraction = cleaned.partition(".")
        if " " in integer:
            raise AmountError(text)
    else:
        if "," in cleaned and "." in cleaned:
            raise AmountError(text)  # "1.234,56" or "1,234.56": which one is the decimal mark?
        integer, _mark, fraction = cleaned.replace(".", ",").partition(",")
        if "," in fraction:
            raise AmountError(text)
    if not integer or not _GROUPED.match(integer) or (fraction and not fraction.isdigit()):
        raise AmountError(text)
    try:
        value = Decimal(re.sub(r"[ ,]", "", integer) + ("." + fraction if fraction else ""))
    except InvalidOperation as error:
        raise AmountError(text) from error
    return -value if negative else value


def format_amount(value: Decimal, language: str, places: int = 2) -> str:
    """The text an amount input shows: '3 845,61' (fr) or '3,845.61' (en), rounded to `places`."""
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    pattern = "#,##0." + "0" * places if places else "#,##0"
    text = format_decimal(rounded, format=pattern, locale=LOCALES[language], decimal_quantization=True)
    return _SPACES.sub(" ", str(text))  # plain spaces: easy to edit and to type back


class AmountInput(forms.TextInput):
    """A text box (not type=number: browsers refuse "1 234,56") with a numeric keypad on phones."""

    def __init__(self, places: int = 2, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"inputmode": "decimal", "autocomplete": "off", **(attrs or {})})
        self.places = places

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_amount(Decimal(value), page_language(), self.places)
        shown: str | None = super().format_value(value)  # what the user typed, shown back as typed
        return shown


class LocalizedDecimalField(forms.DecimalField):
    """A DecimalField that reads and shows amounts in the page's language (limits and places kept)."""

    def __init__(self, *, decimal_places: int = 2, **kwargs: Any) -> None:
        kwargs.setdefault("widget", AmountInput(places=decimal_places))
        super().__init__(decimal_places=decimal_places, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {}  # no min/max/step: they only make sense on type=number inputs

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value), page_language())
        except AmountError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (None if initial in self.empty_values else Decimal(str(initial)))
        except (ValidationError, InvalidOperation):
            return True


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166 countries named in the page's language, sorted by name (France, not FR)."""
    names = LOCALES[page_language()].territories
    countries = [
        (code, str(name))
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code != "ZZ"
    ]
    return sorted(countries, key=lambda item: item[1].casefold())

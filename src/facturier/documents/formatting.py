"""Numbers, amounts, dates and long words as printed, in French or English (Babel)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

LOCALES = {"fr": Locale.parse("fr_FR"), "en": Locale.parse("en_GB")}
"""Parsed once: Babel re-parses a locale given by name on every call (3x slower formatting)."""


class Formatter:
    """Amounts, quantities, rates and dates in one language.

    Babel's formatting is slow (pattern application in pure Python, ~50 µs an amount) and a document
    prints the same few values several times (prices, rates, totals), so results are kept per process:
    each is a pure function of the value's text, the currency and the language.
    """

    def __init__(self, language: str, currency: str) -> None:
        self.language = language
        self.locale = LOCALES[language]
        self.currency = currency

    def money(self, amount: Decimal | str | None) -> str:
        return _money(str(Decimal(amount or 0)), self.currency, self.language)

    def number(self, value: Decimal | str, *, max_places: int = 6, min_places: int = 0) -> str:
        return _number(str(Decimal(value)), max_places, min_places, self.language)

    def rate(self, value: Decimal | str) -> str:
        number = self.number(value, max_places=2)
        return f"{number}\N{NARROW NO-BREAK SPACE}%" if self.language == "fr" else f"{number}%"

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        return _date(value, self.language)


_CACHE_SIZE = 4096


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _money(amount: str, currency: str, language: str) -> str:
    return format_currency(Decimal(amount), currency, locale=LOCALES[language])


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _number(value: str, max_places: int, min_places: int, language: str) -> str:
    pattern = "#,##0." + "0" * min_places + "#" * (max_places - min_places) if max_places else "#,##0"
    return format_decimal(Decimal(value), format=pattern, locale=LOCALES[language])


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _date(value: dt.date, language: str) -> str:
    return format_date(
        value, format="dd/MM/yyyy" if language == "fr" else "d MMM yyyy", locale=LOCALES[language]
    )


_LONG_RUN = re.compile(r"\S{25,}")
_ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str) -> str:
    """Let Typst wrap runs without spaces (URLs, references, "AAAA..."): it never breaks
    inside a word by itself, so such a run would overflow its table cell."""

    def split(match: re.Match[str]) -> str:
        run = match.group(0)
        return _ZERO_WIDTH_SPACE.join(run[i : i + 12] for i in range(0, len(run), 12))

    return _LONG_RUN.sub(split, text) if len(text) >= 25 else text


def group_iban(iban: str) -> str:
    compact = "".join(iban.split())
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def is_hex_colour(value: str) -> bool:
    return len(value) == 7 and value.startswith("#") and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def address_lines(line1: str, line2: str, postcode: str, city: str, country: str, home: str) -> list[str]:
    """Postal address lines; the country only when it is not the seller's own."""
    lines = [line for line in (line1, line2, f"{postcode} {city}".strip()) if line]
    if country and country != home:
        lines.append(country)
    return lines

"""Numbers typed into and shown in the staff UI, in the reader's language: `1 234,56` or `1,234.56`.

Showing goes through Babel, as the read-only pages do. Reading is ours, because people type what
their keyboard and their spreadsheet give them: in French `1 234,56`, `1234,56` and also `1 234.56`
(the numeric keypad's dot); in English `1,234.56`, `1234.56` and `1 234.56`. One rule decides, and
input that reads two ways (`1.234` in French: one point two three four, or a German thousand?)
is refused with a message rather than guessed. Decimal only: a float never holds an amount here.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel.numbers import format_decimal
from django.utils.translation import get_language, to_locale

__all__ = ["NumberInputError", "format_number", "parse_number", "ui_language"]

# what Babel and keyboards put between groups of thousands: space, no-break, narrow no-break, thin
_SPACES = re.compile(r"[ \u00a0\u202f\u2009]+")
_MINUS = ("-", "\u2212")
_DIGITS = re.compile(r"[0-9]+")
_CURRENCY_SIGNS = re.compile(r"[€$£]")


@dataclass(frozen=True)
class _Marks:
    decimal: str
    group: str  # the mark besides spaces that groups thousands in this language


_MARKS = {"fr": _Marks(decimal=",", group=" "), "en": _Marks(decimal=".", group=",")}


class NumberInputError(ValueError):
    """Text that is not a number; ``ambiguous`` when it is one in two different ways."""

    def __init__(self, text: str, *, ambiguous: bool = False):
        super().__init__(text)
        self.text, self.ambiguous = text, ambiguous


def ui_language(language: str | None = None) -> str:
    """ "fr" or "en": the language numbers are read and written in (the page's, French by default)."""
    code = (language or get_language() or "fr")[:2].lower()
    return code if code in _MARKS else "fr"


def format_number(
    value: Decimal | int | str | None, language: str | None = None, *, places: int | None = None
) -> str:
    """`Decimal("1234.56")` -> `1 234,56` (fr, Babel's narrow no-break space) or `1,234.56` (en).

    Every digit given is kept (`0.25` stays `0,25`, `20.00` becomes `20`): what a person types.
    With `places` (an amount: `places=2`) it is rounded half up and shows exactly that many decimals.
    """
    if value is None or value == "":
        return ""
    if isinstance(value, float):
        raise TypeError("numbers are Decimal, never float")
    number = Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    elif number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    else:
        number = number.normalize()
    locale = to_locale(ui_language(language))
    pattern = None if places is None else "#,##0" + ("." + "0" * places if places else "")
    return str(
        format_decimal(
            number, format=pattern, locale=locale, decimal_quantization=False, group_separator=True
        )
    )


def _check_groups(integer: str, separators: str, text: str) -> str:
    """`1 234 567` -> `1234567`; groups after the first are exactly three digits."""
    groups = re.split(f"[{re.escape(separators)}]", integer) if separators else [integer]
    first, rest = groups[0], groups[1:]
    if not _DIGITS.fullmatch(first) or (rest and len(first) > 3):
        raise NumberInputError(text)
    if any(len(group) != 3 or not _DIGITS.fullmatch(group) for group in rest):
        raise NumberInputError(text)
    return "".join(groups)


def parse_number(text: str, language: str | None = None) -> Decimal:
    """Read a number as typed in `language` ("fr" or "en"); NumberInputError if it is not one.

    Spaces always group thousands. Of `.` and `,`, when both appear the last one is the decimal
    mark. When one appears alone: the language's decimal mark is the decimal mark; the other mark
    groups thousands when repeated (`1.234.567`), or when it is this language's group mark and
    three digits follow (`1,234` in English); a lone foreign mark followed by exactly three digits
    after one to three digits (`1.234` in French) reads two ways and is refused.
    """
    marks = _MARKS[ui_language(language)]
    original = text
    text = _CURRENCY_SIGNS.sub("", text).strip()  # "12,00 €" or "€99": the sign typed with the amount
    sign = ""
    if text.startswith(("+", *_MINUS)):
        sign, text = ("-" if text[0] in _MINUS else ""), text[1:].lstrip()
    if not text:
        raise NumberInputError(original)
    compact = _SPACES.sub(" ", text)
    has_spaces = " " in compact
    found = [mark for mark in ".," if mark in compact]
    if len(found) == 2:
        decimal_mark = "." if compact.rfind(".") > compact.rfind(",") else ","
        group_mark = "," if decimal_mark == "." else "."
    elif len(found) == 1:
        mark = found[0]
        integer_part, _, after = compact.partition(mark)
        if compact.count(mark) > 1:
            decimal_mark, group_mark = "", mark
        elif mark == marks.decimal:
            decimal_mark, group_mark = mark, ""
        elif len(after) == 3 and after.isdigit() and not has_spaces and _looks_grouped(integer_part):
            if mark != marks.group:
                raise NumberInputError(original, ambiguous=True)
            decimal_mark, group_mark = "", mark
        else:
            decimal_mark, group_mark = mark, ""
    else:
        decimal_mark, group_mark = "", ""
    integer, fraction = compact, ""
    if decimal_mark:
        integer, _, fraction = compact.rpartition(decimal_mark)
        if not fraction.isdigit() or not fraction.isascii():
            raise NumberInputError(original)
    integer = _check_groups(integer, " " + group_mark, original) if integer else "0"
    try:
        return Decimal(f"{sign}{integer}.{fraction}" if fraction else f"{sign}{integer}")
    except InvalidOperation as error:  # pragma: no cover - only digits reach here
        raise NumberInputError(original) from error


def _looks_grouped(integer_part: str) -> bool:
    """`1` to `999` (no leading zero) could be the first group of thousands."""
    return bool(re.fullmatch(r"[1-9][0-9]{0,2}", integer_part))

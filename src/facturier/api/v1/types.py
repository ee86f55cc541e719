"""Field types shared by the API schemas: money travels as decimal strings, never as JSON floats.

A JSON number like 0.1 is a binary float by the time it is parsed, so amounts sent as numbers with a
fraction are refused; integers are accepted. Each type states in the OpenAPI schema exactly the bound
the server enforces (a pattern for decimals, `format: date` for dates, `maxLength` and a non-blank
pattern for text), and enforces it itself: pydantic's lax mode would otherwise take `"1e3"` for 1000
and `0` for 1970-01-01, which the schema does not allow.
"""

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, JsonValue, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from facturier.catalog.units import UNIT_CODES
from facturier.common.cleaning import XML_INVALID_CHARACTER
from facturier.domain.money import CURRENCY_CODES


def _no_float(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        raise PydanticCustomError(
            "decimal_as_string", 'Send amounts as decimal strings, e.g. "12.50", not as JSON numbers.'
        )
    return value


def _positive_pattern(whole: int, places: int) -> str:
    """A decimal over 0 without lookahead (test tools generate from the pattern): a non-zero integer
    part, or 0 and a fraction whose first non-zero digit sits at position k."""
    fractions = "|".join(f"{'0' * k}[1-9][0-9]{{0,{places - 1 - k}}}" for k in range(places))
    return f"^(?:[1-9][0-9]{{0,{whole - 1}}}(?:\\.[0-9]{{1,{places}}})?|0\\.(?:{fractions}))$"


def _decimal_type(
    *, whole: int, places: int, signed: bool = False, positive: bool = False, percent: bool = False
) -> Any:
    """An Annotated Decimal accepting a string matching one pattern (or an integer in the same range)."""
    if percent:
        pattern = f"^(?:100(?:\\.0{{1,{places}}})?|[0-9]{{1,2}}(?:\\.[0-9]{{1,{places}}})?)$"
        integer: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": 100}
        error = ("percent_format", "Send a percentage from 0 to 100 with at most {places} decimals.")
    elif positive:
        pattern = _positive_pattern(whole, places)
        integer = {"type": "integer", "minimum": 1, "maximum": 10**whole - 1}
        error = ("decimal_not_positive", "Send a decimal number over 0, at most {whole}.{places} digits.")
    else:
        pattern = f"^{'-?' if signed else ''}[0-9]{{1,{whole}}}(?:\\.[0-9]{{1,{places}}})?$"
        integer = {"type": "integer", "minimum": -(10**whole - 1) if signed else 0, "maximum": 10**whole - 1}
        error = ("decimal_format", "Send a decimal number as a string, at most {whole}.{places} digits.")
    compiled = re.compile(pattern)

    def check(value: Any) -> Any:
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # JSON Schema counts 12.0 as an integer: it is exactly 12
        value = _no_float(value)
        text = str(value) if isinstance(value, int) else value
        if isinstance(text, str) and not compiled.fullmatch(text):
            raise PydanticCustomError(error[0], error[1], {"whole": whole, "places": places})
        return value

    schema = {"anyOf": [{"type": "string", "pattern": pattern, "examples": ["12.50"]}, integer]}
    return Annotated[Decimal, BeforeValidator(check), WithJsonSchema(schema)]


DecimalIn = _decimal_type(whole=14, places=6, signed=True)
"""A quantity or unit price given by the client, as a string such as "12.50" (at most 14.6 digits)."""
AmountIn = _decimal_type(whole=18, places=2, signed=True)
"""A document amount (2 decimals)."""
PositiveAmountIn = _decimal_type(whole=18, places=2, positive=True)
"""An amount over 0 with at most 2 decimals (payments, allocations, refunds)."""
BaseAmountIn = _decimal_type(whole=14, places=2)
"""The base of a percentage allowance or charge."""
PercentIn = _decimal_type(whole=3, places=2, percent=True)
"""A percentage from 0 to 100 with at most 2 decimals (VAT rates, discounts)."""
ExchangeRateIn = _decimal_type(whole=14, places=6, positive=True)
"""An exchange rate: over 0, at most 6 decimals."""

DecimalOut = Annotated[
    Decimal,
    PlainSerializer(lambda value: format(value, "f"), return_type=str),
    WithJsonSchema({"type": "string", "examples": ["12.50"]}),
]
"""An amount, quantity or rate returned to the client, as a string without exponent."""


def _xml_safe(value: str) -> str:
    """Text that reaches an e-invoice must hold only what XML 1.0 carries, or it could never be issued."""
    found = XML_INVALID_CHARACTER.search(value)
    if found:
        raise PydanticCustomError(
            "invalid_character",
            "Control character U+{code} is not allowed in text.",  # pydantic fills {name}, no format spec
            {"code": f"{ord(found.group()):04X}"},
        )
    return value


TextIn = Annotated[str, AfterValidator(_xml_safe)]
"""Free text from a client: any printable Unicode, tabs and line breaks; no control characters."""


ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    """Only `YYYY-MM-DD`: lax pydantic reads `0` or `"1700000000"` as a Unix time, the schema does not."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_parsing", "Send a date as YYYY-MM-DD.")


DateIn = Annotated[dt.date, BeforeValidator(_iso_date)]
"""A calendar date, strictly `YYYY-MM-DD`."""

# Text the schema allows: no control characters (surrogates cannot travel in JSON text anyway).
TEXT_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]*$"
NON_BLANK_PATTERN = "^[^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]*[^\\s\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff][^\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\ufffe\\uffff]*$"
NOT_BLANK = re.compile(r"\S")


def _text(max_length: int | None, *, required: bool) -> Any:  # noqa: C901 - one checker per use
    """Text of at most `max_length` characters (the model field's), XML-safe; `required`: not blank.

    The length is checked on the text as sent (what the schema's `maxLength` says); surrounding
    spaces are then stripped, as the staff UI's forms do.
    """

    def check(value: str) -> str:
        if max_length is not None and len(value) > max_length:
            raise PydanticCustomError(
                "string_too_long", "At most {max_length} characters.", {"max_length": max_length}
            )
        _xml_safe(value)
        if required and not NOT_BLANK.search(value):
            raise PydanticCustomError("string_blank", "This field cannot be blank.")
        return value.strip()

    extra: dict[str, Any] = {"pattern": NON_BLANK_PATTERN if required else TEXT_PATTERN}
    if max_length is not None:
        extra["maxLength"] = max_length
    if required:
        extra["minLength"] = 1
    return Annotated[str, AfterValidator(check), Field(json_schema_extra=extra)]


def text(max_length: int | None = None) -> Any:
    """Optional text (may be empty) of at most `max_length` characters."""
    return _text(max_length, required=False)


def required_text(max_length: int | None) -> Any:
    """Text that must hold something other than spaces, of at most `max_length` characters."""
    return _text(max_length, required=True)


def choice(values: frozenset[str] | list[str], error_type: str = "literal_error", message: str = "") -> Any:
    """A code from a fixed list, stated as an `enum` in the schema, checked exactly (no case folding)."""
    allowed = frozenset(values)
    expected = ", ".join(sorted(allowed))

    def check(value: str) -> str:
        if value not in allowed:
            raise PydanticCustomError(
                error_type, message or "Expected one of: {expected}.", {"expected": expected}
            )
        return value

    enum: list[JsonValue] = list(sorted(allowed))
    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"enum": enum})]


UnitIn = choice(UNIT_CODES, "invalid_unit", "Unknown unit code (UN/ECE Rec 20), e.g. C62, HUR, DAY.")
"""A unit of measure, UN/ECE Recommendation 20 code."""


def _currency() -> Any:
    codes = CURRENCY_CODES | {code.lower() for code in CURRENCY_CODES}
    code = choice(codes, "invalid_currency", "Unknown currency code (ISO 4217), e.g. EUR.")
    return Annotated[code, AfterValidator(str.upper)]


CurrencyIn = _currency()
"""An ISO 4217 alphabetic currency code accepted by EN 16931, in upper or lower case (stored upper)."""
VatCategoryIn = Literal["S", "Z", "E", "AE", "K", "G", "O"]
"""An EN 16931 VAT category code."""

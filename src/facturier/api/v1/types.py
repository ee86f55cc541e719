"""Field types shared by the API schemas: money travels as decimal strings, never as JSON floats.

A JSON number like 0.1 is a binary float by the time it is parsed, so amounts sent as numbers with a
fraction are refused; integers are accepted. Precision limits (decimals, integer digits) are checked
by the services, which name the field in their error.
"""

from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from facturier.common.cleaning import XML_INVALID_CHARACTER


def _no_float(value: Any) -> Any:
    if isinstance(value, bool) or isinstance(value, float):
        raise PydanticCustomError(
            "decimal_as_string", 'Send amounts as decimal strings, e.g. "12.50", not as JSON numbers.'
        )
    return value


DecimalIn = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["12.50"]}),
]
"""An amount, quantity or rate given by the client, as a string such as "12.50"."""

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

"""Conversions between XML lexical values and model values (exact decimals, dates)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from facturier.domain.formats.errors import InvoiceParseError


def decimal_from_text(text: str, *, term: str) -> Decimal:
    """An exact Decimal as written in the document ('100.50' stays 100.50, never rounded)."""
    cleaned = text.strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise InvoiceParseError(f"{term}: {cleaned!r} is not a decimal number") from exc
    if not value.is_finite() or "e" in cleaned.lower():
        raise InvoiceParseError(f"{term}: {cleaned!r} is not a plain decimal number")
    return value


def decimal_to_text(value: Decimal) -> str:
    """xs:decimal lexical form, keeping the value's own scale (no exponent notation)."""
    return format(value, "f")


def date_from_iso(text: str, *, term: str) -> date:
    """UBL dates: xs:date 'YYYY-MM-DD' (a time zone suffix, allowed by xs:date, is ignored)."""
    cleaned = text.strip()
    try:
        return date.fromisoformat(cleaned[:10])
    except ValueError as exc:
        raise InvoiceParseError(f"{term}: {cleaned!r} is not a YYYY-MM-DD date") from exc


def date_from_102(text: str, *, term: str, format_code: str | None = "102") -> date:
    """CII dates: UN/CEFACT format 102 'YYYYMMDD', the only one EN 16931 allows."""
    cleaned = text.strip()
    if format_code not in (None, "102"):
        raise InvoiceParseError(f"{term}: date format {format_code!r} is not supported (only 102)")
    if len(cleaned) != 8 or not cleaned.isdigit():
        raise InvoiceParseError(f"{term}: {cleaned!r} is not a YYYYMMDD date")
    try:
        return date(int(cleaned[:4]), int(cleaned[4:6]), int(cleaned[6:]))
    except ValueError as exc:
        raise InvoiceParseError(f"{term}: {cleaned!r} is not a valid date") from exc


def date_to_102(value: date) -> str:
    """UN/CEFACT format 102 'YYYYMMDD'."""
    return value.strftime("%Y%m%d")

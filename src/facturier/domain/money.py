"""Decimal amounts and ISO 4217 currency codes: the one rounding policy of Facturier.

Money is always a :class:`decimal.Decimal`. Document amounts (EN 16931 "Amount" type) carry at
most two decimals and are rounded ROUND_HALF_UP; unit prices may carry more decimals (see
:func:`check_amount`). Floats are refused outright because a binary float cannot represent most
cents exactly (``0.1 + 0.2 != 0.3``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "CURRENCY_CODES",
    "TWO_PLACES",
    "AmountPrecisionError",
    "InvalidCurrency",
    "check_amount",
    "round_amount",
    "to_decimal",
    "validate_currency",
]

# ISO 4217 alphabetic codes accepted by EN 16931 (code list of rule BR-CL-03/BR-CL-04 in the CEN
# validation artefacts 1.3.16). We ship the table rather than derive it from Babel because Babel
# also lists withdrawn codes (FRF, DEM, ...) which an invoice must not use, and because an
# invoice is only useful if the official schematron accepts its currency.
# tests/domain/test_money.py checks this table against the schematron in ../shared.
_EN16931_CURRENCY_TABLE = """
AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD
CAD CDF CHE CHF CHW CLF CLP CNH CNY COP COU CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS
KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK
MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR
SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STD SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH
UGX USD USN UYI UYU UYW UZS VES VED VND VUV WST XAF XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD
XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG
"""

CURRENCY_CODES: frozenset[str] = frozenset(_EN16931_CURRENCY_TABLE.split())

TWO_PLACES = Decimal("0.01")


# SQLite stores decimals as 64-bit floats, exact to 15 significant digits: a longer amount would
# come back different from what was written. Every amount is held to what all our databases keep.
MAX_SIGNIFICANT_DIGITS = 15


class InvalidCurrency(ValueError):
    """The text is not an ISO 4217 alphabetic currency code accepted on an invoice."""


class AmountPrecisionError(ValueError):
    """An amount has more decimals or integer digits than its field allows, or is not finite."""


def validate_currency(code: str) -> str:
    """Return ``code`` upper-cased if it is an accepted ISO 4217 code, else raise InvalidCurrency."""
    normalized = code.strip().upper()
    if normalized not in CURRENCY_CODES:
        raise InvalidCurrency(
            f"{code!r} is not an ISO 4217 alphabetic currency code accepted by EN 16931 (e.g. 'EUR')."
        )
    return normalized


def round_amount(value: Decimal) -> Decimal:
    """Round to two decimals, half away from zero (ROUND_HALF_UP), as EN 16931 amounts require.

    A result of zero is always positive (``-0.004`` gives ``0.00``, not ``-0.00``) so it prints cleanly.
    """
    rounded = value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def check_amount(
    value: Decimal,
    *,
    places: int = 2,
    max_integer_digits: int = 14,
    field: str = "amount",
) -> Decimal:
    """Return ``value`` unchanged if it fits the field, else raise AmountPrecisionError.

    Nothing is rounded silently here: an amount that arrives with too many decimals is an input
    error that the caller must report (naming ``field``), not something to fix behind its back.
    Trailing zeros do not count (``Decimal("1.500")`` has one significant decimal).
    """
    if not value.is_finite():
        raise AmountPrecisionError(f"{field}: {value} is not a finite number.")
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers always have an integer exponent
    decimals = max(0, -exponent)
    if decimals > places:
        raise AmountPrecisionError(f"{field}: {value} has {decimals} decimals, at most {places} allowed.")
    # adjusted() is the power of ten of the leading digit: 123.45 -> 2, i.e. 3 integer digits.
    integer_digits = max(0, value.adjusted() + 1) if value else 0
    if integer_digits > max_integer_digits:
        raise AmountPrecisionError(
            f"{field}: {value} has {integer_digits} integer digits, at most {max_integer_digits} allowed."
        )
    if integer_digits + decimals > MAX_SIGNIFICANT_DIGITS:
        raise AmountPrecisionError(
            f"{field}: {value} has {integer_digits + decimals} significant digits, "
            f"at most {MAX_SIGNIFICANT_DIGITS} allowed."
        )
    return value


def to_decimal(value: str | int | Decimal) -> Decimal:
    """Convert text, an int or a Decimal to Decimal; refuse float (TypeError) and bad text (ValueError).

    Text must be a finite number ("NaN" and "Infinity" are refused); a Decimal is returned as is.

    ``bool`` is refused too: ``True`` is an int in Python but never an amount.
    """
    if isinstance(value, float | bool):
        raise TypeError(f"money must not come from {type(value).__name__} ({value!r}); use str or Decimal.")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal number.") from None
        if not parsed.is_finite():
            raise ValueError(f"{value!r} is not a finite amount.")
        return parsed
    raise TypeError(f"cannot convert {type(value).__name__} to a money amount.")

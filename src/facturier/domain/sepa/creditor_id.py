"""SEPA creditor identifier (ICS in France): country, 2 check digits, 3-character business code, national id.

The check digits are ISO 7064 MOD 97-10 over the national identifier followed by the country code
and `00` (letters as numbers, A=10 … Z=35); the business code (`ZZZ` by default) is not checked.
Example: FR72ZZZ123456 (France: 6 more characters), DE98ZZZ09999999999.
"""

import re

from facturier.domain.sepa.common import SepaError

_FORMAT = re.compile(r"^([A-Z]{2})(\d{2})([A-Z0-9]{3})([A-Z0-9]{1,28})$")
_NATIONAL_LENGTH = {"FR": 6, "DE": 11}  # fixed by the national schemes; elsewhere 1 to 28 characters


def _numeric(text: str) -> int:
    return int("".join(str(int(char, 36)) for char in text))


def creditor_id_check_digits(country: str, national_id: str) -> str:
    return f"{98 - _numeric(national_id + country + '00') % 97:02d}"


def validate_creditor_id(value: str) -> str:
    """The identifier, compact and upper-case, or SepaError saying what is wrong with it."""
    compact = re.sub(r"\s+", "", value).upper()
    match = _FORMAT.match(compact)
    if not match:
        raise SepaError(
            f"{value!r} is not a SEPA creditor identifier (country, 2 digits, 3-character code, national id)",
            field="creditor_id",
        )
    country, digits, _code, national = match.groups()
    expected = _NATIONAL_LENGTH.get(country)
    if expected is not None and len(national) != expected:
        raise SepaError(
            f"a {country} creditor identifier has {expected} characters after the business code",
            field="creditor_id",
        )
    if creditor_id_check_digits(country, national) != digits:
        raise SepaError(f"{value!r}: wrong check digits", field="creditor_id")
    return compact


def creditor_id_is_valid(value: str) -> bool:
    try:
        validate_creditor_id(value)
    except SepaError:
        return False
    return True

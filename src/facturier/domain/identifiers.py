"""Validation of company and bank identifiers (SIREN, SIRET, VAT numbers, IBAN, BIC).

Thin, typed wrappers over python-stdnum and schwifty that return the compact canonical form or raise
`InvalidIdentifier` with a message a user can act on.
"""

from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret


class InvalidIdentifier(ValueError):
    """An identifier failed its format or check-digit validation."""

    def __init__(self, kind: str, value: str, reason: str):
        super().__init__(f"Invalid {kind} '{value}': {reason}")
        self.kind = kind
        self.value = value
        self.reason = reason


def _reason(error: Exception) -> str:
    if isinstance(error, stdnum_errors.InvalidChecksum):
        return "checksum does not match"
    if isinstance(error, stdnum_errors.InvalidLength):
        return "wrong length"
    if isinstance(error, stdnum_errors.InvalidFormat):
        return "wrong format"
    return str(error) or error.__class__.__name__


def validate_siren(value: str) -> str:
    """Return the 9-digit SIREN or raise InvalidIdentifier."""
    try:
        return str(fr_siren.validate(value))
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier("SIREN", value, _reason(error)) from error


def validate_siret(value: str) -> str:
    """Return the 14-digit SIRET (whose first 9 digits are a valid SIREN) or raise InvalidIdentifier."""
    try:
        return str(fr_siret.validate(value))
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier("SIRET", value, _reason(error)) from error


def validate_vat_number(value: str) -> str:
    """Return an EU VAT number in compact form with its country prefix (FR.., DE..) or raise."""
    try:
        compact = str(eu_vat.validate(value))
    except stdnum_errors.ValidationError as error:
        raise InvalidIdentifier("VAT number", value, _reason(error)) from error
    return compact


def validate_iban(value: str) -> str:
    """Return the IBAN in compact form or raise InvalidIdentifier."""
    try:
        return str(IBAN(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise InvalidIdentifier("IBAN", value, str(error)) from error


def validate_bic(value: str) -> str:
    """Return the BIC (8 or 11 characters) or raise InvalidIdentifier."""
    try:
        return str(BIC(value).compact)
    except (SchwiftyException, ValueError) as error:
        raise InvalidIdentifier("BIC", value, str(error)) from error


def siren_from_vat(vat_number: str) -> str | None:
    """The SIREN inside a French VAT number (FRkk + SIREN), None for other countries."""
    compact = vat_number.replace(" ", "").upper()
    if compact.startswith("FR") and len(compact) == 13:
        return compact[4:]
    return None

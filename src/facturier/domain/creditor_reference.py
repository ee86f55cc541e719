"""ISO 11649 creditor references ("RF references") for invoices.

An RF reference is ``RF`` + two check digits + 1 to 21 letters or digits; the check is ISO 7064
MOD 97-10, the same as IBANs: move the first four characters to the end, replace letters by
numbers (A = 10 ... Z = 35) and the result modulo 97 is 1. Facturier derives the reference from the
invoice number (its letters and digits, separators dropped), prints it on the invoice and in the
EPC QR code, and the reconciliation engine recognises it on bank lines.

The electronic form has no spaces (``RF18539007547034``); the printed form is in groups of four
(``RF18 5390 0754 7034``). :func:`normalize` accepts either, in any case.
"""

from __future__ import annotations

import re

__all__ = [
    "MAX_REFERENCE_LENGTH",
    "InvalidCreditorReference",
    "check_digits",
    "from_invoice_number",
    "is_valid",
    "normalize",
    "printed",
    "validate",
]

MAX_REFERENCE_LENGTH = 21  # characters after "RFkk" (25 in all)
_SEPARATORS = re.compile(r"[\s\-_/.+:]")
_SHAPE = re.compile(r"RF[0-9]{2}[A-Z0-9]{1,21}")
_PAYLOAD = re.compile(r"[A-Z0-9]{1,21}")


class InvalidCreditorReference(ValueError):
    """The text is not a valid ISO 11649 creditor reference, or cannot become one."""

    def __init__(self, value: str, reason: str):
        super().__init__(f"Invalid creditor reference '{value}': {reason}")
        self.value = value
        self.reason = reason


def _as_number(text: str) -> int:
    # letters become two-digit numbers (A=10 ... Z=35), digits stay as they are
    return int("".join(str(int(char, 36)) for char in text))


def normalize(value: str) -> str:
    """The electronic form: upper case, without spaces or the separators people type (no check)."""
    return _SEPARATORS.sub("", value).upper()


def check_digits(payload: str) -> str:
    """The two check digits of the reference whose letters and digits are `payload`."""
    if not _PAYLOAD.fullmatch(payload):
        raise InvalidCreditorReference(payload, "1 to 21 letters or digits are needed after RF and the check")
    return f"{98 - _as_number(payload + 'RF00') % 97:02d}"


def is_valid(value: str) -> bool:
    """Whether `value` (electronic or printed form) is a well-formed RF reference with good check digits."""
    compact = normalize(value)
    if not _SHAPE.fullmatch(compact):
        return False
    return _as_number(compact[4:] + compact[:4]) % 97 == 1


def validate(value: str) -> str:
    """Return the electronic form of a valid reference, or raise InvalidCreditorReference."""
    compact = normalize(value)
    if not compact.startswith("RF"):
        raise InvalidCreditorReference(value, "it must start with RF")
    if not _SHAPE.fullmatch(compact):
        raise InvalidCreditorReference(value, "RF, two check digits, then 1 to 21 letters or digits")
    if _as_number(compact[4:] + compact[:4]) % 97 != 1:
        raise InvalidCreditorReference(value, "check digits do not match")
    return compact


def from_invoice_number(number: str) -> str:
    """The RF reference of an invoice: its number's letters and digits (upper case) with check digits.

    ``FAC-2026-00042`` gives ``RF78FAC202600042``. Invoice numbers allow 35 characters but a
    reference carries 21: a longer number raises InvalidCreditorReference (the caller then prints
    no RF reference, and the payer quotes the invoice number instead).
    """
    payload = re.sub(r"[^A-Z0-9]", "", number.upper())
    if not payload:
        raise InvalidCreditorReference(number, "the invoice number has no letters or digits")
    if len(payload) > MAX_REFERENCE_LENGTH:
        raise InvalidCreditorReference(number, f"more than {MAX_REFERENCE_LENGTH} letters and digits")
    return f"RF{check_digits(payload)}{payload}"


def printed(value: str) -> str:
    """The printed form, in groups of four characters: ``RF18 5390 0754 7034``."""
    compact = validate(value)
    return " ".join(compact[start : start + 4] for start in range(0, len(compact), 4))

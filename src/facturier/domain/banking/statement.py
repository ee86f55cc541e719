"""What every statement parser returns, whatever the format (camt.053/054, MT940, OFX, CFONB 120, CSV).

A file may hold several statements (several accounts or days); each is a `ParsedStatement`. Amounts are
signed from the account holder's side: money in (a customer paying) is positive, money out is negative.
The `banking` app stores these lines and dedupes them by `natural_key`, so parsers keep every reference
the bank gives and never invent one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal


class StatementError(ValueError):
    """A file that is not a statement we can read: wrong format, hostile, truncated, bad encoding.

    `code` is stable (e.g. ``unknown_format``, ``malformed``, ``too_large``, ``encoding``, ``forbidden_xml``)
    so the API and the CLI can report it; the message says in plain words what is wrong.
    """

    def __init__(self, message: str, *, code: str = "malformed") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StatementLine:
    """One booked movement on the account."""

    booking_date: dt.date
    amount: Decimal  # signed: > 0 credit (money in), < 0 debit
    currency: str
    value_date: dt.date | None = None
    bank_reference: str = ""  # camt NtryRef, else AcctSvcrRef; MT940 :61: reference; OFX FITID; "" if none
    end_to_end_id: str = ""  # camt EndToEndId (our invoice number or RF when the payer copied it)
    structured_reference: str = ""  # creditor reference (RF…) from structured remittance
    remittance: str = ""  # unstructured remittance information, joined with spaces
    counterparty_name: str = ""  # the payer for credits, the payee for debits
    counterparty_iban: str = ""
    counterparty_bic: str = ""
    bank_transaction_code: str = ""  # e.g. camt Domain/Family/SubFamily, MT940 GVC, CFONB operation code
    return_reason: str = ""  # ISO reason code of an R-transaction (AC04, MD06, …), when the line is a return
    charges: Decimal | None = None  # bank fees the bank reports on this movement, if any
    description: str = ""  # any other free text the bank gives (booking text, OFX NAME/MEMO)

    def natural_key(self, account: str) -> str:
        """The identity of this movement on `account`: the bank's own reference, or a hash of what it says."""
        if self.bank_reference:
            return f"ref:{self.bank_reference}"
        text = "|".join(
            [
                account,
                self.booking_date.isoformat(),
                format(self.amount, "f"),
                self.currency,
                self.end_to_end_id,
                self.structured_reference,
                self.remittance,
                self.counterparty_name,
                self.counterparty_iban,
                self.description,
            ]
        )
        return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ParsedStatement:
    """One statement of one account, as the bank sent it."""

    format: str  # e.g. "camt.053.001.02", "camt.054.001.08", "mt940", "ofx1", "ofx2", "cfonb120", "csv"
    account_iban: str = ""  # normalised (no spaces, upper case) when the bank gives an IBAN
    account_number: str = ""  # the bank's other account identifier when there is no IBAN
    currency: str = ""
    statement_id: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    lines: tuple[StatementLine, ...] = field(default_factory=tuple)

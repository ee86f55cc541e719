"""The engine's inputs and outputs.

`banking` builds `BankLine`s from stored statement lines and `OpenItem`s from the receivables selector
(issued invoices with an open balance, and open items imported from a previous tool); the engine returns
one `Match` per bank line. Reasons are codes with parameters, so the caller renders them in the user's
language; the engine never writes anything.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    AUTO = "auto"  # certain: reconciled without a human
    PROPOSED = "proposed"  # likely: shown to the clerk with its score and reasons
    UNMATCHED = "unmatched"  # nothing good enough, or ambiguous


@dataclass(frozen=True)
class OpenItem:
    key: str  # the caller's identifier (e.g. "doc:<uuid>" or "open:<uuid>")
    number: str  # invoice number as printed
    customer_key: str
    customer_name: str
    open_amount: Decimal  # what is still owed, > 0
    currency: str
    issue_date: dt.date
    due_date: dt.date | None = None
    rf_reference: str = ""  # ISO 11649 creditor reference printed on the invoice, if any


@dataclass(frozen=True)
class BankLine:
    key: str
    booking_date: dt.date
    amount: Decimal  # > 0 for money received; the engine ignores debits
    currency: str
    remittance: str = ""
    structured_reference: str = ""
    end_to_end_id: str = ""
    counterparty_name: str = ""
    counterparty_iban: str = ""


@dataclass(frozen=True)
class CustomerHints:
    """What the engine has learned about a customer: IBANs and payer names seen on their payments."""

    customer_key: str
    ibans: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()  # payer-name aliases, including the customer's own name


@dataclass(frozen=True)
class Rules:
    """Per-entity reconciliation models (tolerances are absolute amounts in the line's currency)."""

    fee_tolerance: Decimal = Decimal("5.00")  # a shortfall up to this is bank fees (to `fee_account`)
    fee_account: str = "627"
    writeoff_tolerance: Decimal = Decimal("1.00")  # a difference up to this is written off
    writeoff_account: str = "658"
    max_items_in_sum: int = 5  # bound of the subset-sum over one customer's open items
    auto_threshold: float = 0.95
    propose_threshold: float = 0.5


@dataclass(frozen=True)
class Reason:
    code: str  # e.g. "reference_exact", "reference_fuzzy", "rf_reference", "amount_exact", "iban_known"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Allocation:
    item_key: str
    amount: Decimal


@dataclass(frozen=True)
class Match:
    line_key: str
    status: Status
    allocations: tuple[Allocation, ...] = ()
    score: float = 0.0  # 0..1
    reasons: tuple[Reason, ...] = ()
    difference: Decimal = Decimal("0")  # line amount minus allocated (> 0 overpaid, < 0 short)
    difference_kind: str = ""  # "", "fee", "writeoff", "credit" (overpayment kept as customer credit)
    customer_key: str = ""

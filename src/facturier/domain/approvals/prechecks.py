"""Automatic pre-checks of a supplier invoice before it may be approved for payment.

Each finding adds a review level to the approval (the approvals app does that) and is shown to the
approver. Compared with the supplier's earlier invoices (``history``, never the invoice itself).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

DUPLICATE_NUMBER = "duplicate_number"
DUPLICATE_AMOUNT_DATE = "duplicate_amount_date"
BANK_DETAILS_CHANGED = "bank_details_changed"
AMOUNT_UNUSUAL = "amount_unusual"
MISSING_PURCHASE_ORDER = "missing_purchase_order"
OUTLIER_FACTOR = Decimal(3)
MIN_HISTORY = 3  # fewer earlier invoices say nothing about what is usual


@dataclass(frozen=True)
class SupplierInvoice:
    number: str
    amount: Decimal
    issue_date: dt.date
    iban: str = ""
    purchase_order: str = ""


@dataclass(frozen=True)
class Finding:
    code: str
    detail: str = ""


def _norm(value: str) -> str:
    return "".join(value.split()).upper()


def median(amounts: Sequence[Decimal]) -> Decimal:
    return Decimal(statistics.median(amounts))


def prechecks(invoice: SupplierInvoice, history: Sequence[SupplierInvoice]) -> list[Finding]:
    """Findings in a fixed order; ``history`` is the same supplier's earlier invoices, oldest first."""
    found: list[Finding] = []
    if any(_norm(old.number) == _norm(invoice.number) for old in history):
        found.append(Finding(DUPLICATE_NUMBER, invoice.number))
    if any(old.amount == invoice.amount and old.issue_date == invoice.issue_date for old in history):
        found.append(Finding(DUPLICATE_AMOUNT_DATE, f"{invoice.amount} {invoice.issue_date.isoformat()}"))
    with_iban = [old for old in history if old.iban]
    if invoice.iban and with_iban and _norm(with_iban[-1].iban) != _norm(invoice.iban):
        found.append(Finding(BANK_DETAILS_CHANGED, f"{with_iban[-1].iban} -> {invoice.iban}"))
    if len(history) >= MIN_HISTORY:
        usual = median([old.amount for old in history])
        if usual > 0 and abs(invoice.amount) > OUTLIER_FACTOR * usual:
            found.append(Finding(AMOUNT_UNUSUAL, f"{invoice.amount} > 3 x {usual}"))
    if not invoice.purchase_order.strip():
        found.append(Finding(MISSING_PURCHASE_ORDER))
    return found

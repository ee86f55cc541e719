"""How a fixed price divides into deposits, instalments and the balance (pure arithmetic, no Django).

A project's fixed price P (excluding VAT) is billed by its *instalments* (380 invoices, each a share of
P) and its *balance* (the 380 invoice at delivery, which bills what the instalments left: P minus their
sum). *Deposits* (386 invoices) are advances on that balance: the balance invoice deducts them (BT-113),
so they must not exceed it, or the balance invoice would owe the customer money.

A share is a percentage of P or an amount. A percentage is turned into cents by rounding DOWN, so the
shares of any set whose percentages add up to at most 100 % never add up to more than P (rounding half
up would: 50.5 % + 49.5 % of 1.00 EUR is 0.51 + 0.50); the cents left over go to the balance.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class ShareKind(StrEnum):
    DEPOSIT = "deposit"
    INSTALMENT = "instalment"
    BALANCE = "balance"


class SharesExceeded(ValueError):
    """The shares would bill more than the fixed price (``excess`` is by how much)."""

    def __init__(self, kind: ShareKind, excess: Decimal) -> None:
        super().__init__(f"{kind} shares exceed by {excess}")
        self.kind = kind
        self.excess = excess


@dataclass(frozen=True)
class Share:
    kind: ShareKind
    amount: Decimal  # excluding VAT; ignored for the balance (computed)


def share_amount(
    fixed_price: Decimal, percent: Decimal | None = None, amount: Decimal | None = None
) -> Decimal:
    """The amount of one share: ``amount`` as given (to the cent), or ``percent`` of the price rounded down."""
    if (percent is None) == (amount is None):
        raise ValueError("a share is a percentage or an amount, not both")
    if percent is not None:
        if not Decimal(0) < percent <= HUNDRED:
            raise ValueError("a percentage is more than 0 and at most 100")
        return (fixed_price * percent / HUNDRED).quantize(CENT, rounding=ROUND_DOWN)
    assert amount is not None
    if amount <= 0:
        raise ValueError("an amount is positive")
    return amount.quantize(CENT)


def balance_amount(fixed_price: Decimal, shares: Iterable[Share]) -> Decimal:
    """What the balance invoice bills: the fixed price less every instalment."""
    return fixed_price - sum((s.amount for s in shares if s.kind == ShareKind.INSTALMENT), Decimal(0))


def check_shares(fixed_price: Decimal, shares: Iterable[Share]) -> None:
    """Raise `SharesExceeded` when the instalments exceed the price or the deposits exceed the balance."""
    shares = list(shares)
    balance = balance_amount(fixed_price, shares)
    if balance < 0:
        raise SharesExceeded(ShareKind.INSTALMENT, -balance)
    deposits = sum((s.amount for s in shares if s.kind == ShareKind.DEPOSIT), Decimal(0))
    if deposits > balance:
        raise SharesExceeded(ShareKind.DEPOSIT, deposits - balance)


def billed_net(fixed_price: Decimal, shares: Iterable[Share]) -> Decimal:
    """What the 380 invoices of a fully billed project add up to (deposits are deducted, not added)."""
    shares = list(shares)
    instalments = sum((s.amount for s in shares if s.kind == ShareKind.INSTALMENT), Decimal(0))
    has_balance = any(s.kind == ShareKind.BALANCE for s in shares)
    return instalments + (balance_amount(fixed_price, shares) if has_balance else Decimal(0))

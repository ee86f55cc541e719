"""EN 16931 BG-16 PAYMENT INSTRUCTIONS and its sub-groups (credit transfer, card, direct debit)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, kw_only=True)
class CreditTransfer:
    """BG-17 CREDIT TRANSFER: the account to pay to (IBAN or proprietary id)."""

    account_id: str = field(metadata={"bt": "BT-84"})
    account_name: str | None = field(default=None, metadata={"bt": "BT-85"})
    service_provider_id: str | None = field(default=None, metadata={"bt": "BT-86"})


@dataclass(frozen=True, kw_only=True)
class PaymentCard:
    """BG-18 PAYMENT CARD INFORMATION (never the full PAN: 4 to 6 last digits)."""

    primary_account_number: str = field(metadata={"bt": "BT-87"})
    holder_name: str | None = field(default=None, metadata={"bt": "BT-88"})


@dataclass(frozen=True, kw_only=True)
class DirectDebit:
    """BG-19 DIRECT DEBIT (SEPA mandate, creditor id, debited account)."""

    mandate_reference: str | None = field(default=None, metadata={"bt": "BT-89"})
    creditor_id: str | None = field(default=None, metadata={"bt": "BT-90"})
    debited_account_id: str | None = field(default=None, metadata={"bt": "BT-91"})


@dataclass(frozen=True, kw_only=True)
class PaymentInstructions:
    """BG-16 PAYMENT INSTRUCTIONS.

    BT-81 is mandatory in a complete group, but CII carries BT-83/BT-89/BT-90 outside the
    payment means, so a received invoice may hold them without a means code.
    """

    means_code: str | None = field(default=None, metadata={"bt": "BT-81"})
    means_text: str | None = field(default=None, metadata={"bt": "BT-82"})
    remittance_information: str | None = field(default=None, metadata={"bt": "BT-83"})
    credit_transfers: tuple[CreditTransfer, ...] = field(default=(), metadata={"bt": "BG-17"})
    card: PaymentCard | None = field(default=None, metadata={"bt": "BG-18"})
    direct_debit: DirectDebit | None = field(default=None, metadata={"bt": "BG-19"})

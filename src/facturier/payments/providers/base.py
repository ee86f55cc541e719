"""The payment-provider adapter interface: what Facturier asks of Stripe, PayPal or any later provider.

An adapter turns an invoice's open balance into a hosted checkout (a URL the customer is redirected to
and the provider's id for it), verifies and reads the provider's webhooks into normalized events, and
tells the provider's fee. Adapters only talk HTTP (through ``facturier.common.http``) and return plain
values: recording the payment is the services' job (``payments.online``), never the adapter's.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from facturier.common.http import OutboundError

ZERO_DECIMAL_CURRENCIES = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
                                     "UGX", "VND", "VUV", "XAF", "XOF", "XPF"})  # fmt: skip


class ProviderError(OutboundError):
    """A call to the payment provider failed (``retryable`` when a later attempt may succeed)."""


class SignatureInvalid(Exception):
    """A webhook whose signature is missing, wrong or too old: refused, nothing stored."""


class EventKind(enum.StrEnum):
    PAID = "paid"  # the money is the seller's: record and allocate it
    PENDING = "pending"  # paid by a slow method (SEPA debit): wait for the outcome
    APPROVED = "approved"  # the buyer approved, the seller must capture (PayPal orders)
    FAILED = "failed"  # the payment failed (debit refused, capture denied)
    EXPIRED = "expired"  # the checkout was abandoned
    IGNORED = "ignored"  # an event type Facturier does not act on


@dataclass(frozen=True)
class CheckoutRequest:
    """Pay ``amount`` ``currency`` of one invoice; ``reference`` (our checkout id) makes creation idempotent."""

    invoice_id: str
    invoice_number: str
    amount: Decimal
    currency: str
    description: str
    success_url: str
    cancel_url: str
    reference: str
    customer_email: str = ""
    language: str = "fr"


@dataclass(frozen=True)
class CheckoutCreated:
    provider_id: str
    url: str
    expires_at: int | None = None  # Unix time, when the provider says


@dataclass(frozen=True)
class NormalizedEvent:
    """One provider event, in Facturier's words. ``checkout_id``: the provider's id of the checkout."""

    event_id: str
    event_type: str
    kind: EventKind
    checkout_id: str = ""
    invoice_id: str = ""
    amount: Decimal | None = None
    currency: str = ""
    fee: Decimal | None = None
    payment_reference: str = ""  # the provider's id of the money movement (payment intent, capture)
    method: str = ""  # a payments.models.Method value
    payer: str = ""


class PaymentProvider(Protocol):
    name: str

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated: ...

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[NormalizedEvent]:
        """Verify the signature (``SignatureInvalid`` otherwise) and read the events of the body."""
        ...

    def normalize(self, payload: dict[str, Any]) -> NormalizedEvent:
        """Read one stored (already verified) event payload."""
        ...

    def complete(self, event: NormalizedEvent) -> NormalizedEvent:
        """Finish what the provider needs (PayPal: capture an approved order) and fill the fee; may call out."""
        ...


def to_minor(amount: Decimal, currency: str) -> int:
    """Decimal amount -> the provider's integer minor units (cents, or units for JPY...)."""
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return int(amount.scaleb(exponent).to_integral_value())


def from_minor(value: Any, currency: str) -> Decimal:
    exponent = 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2
    return Decimal(int(value)).scaleb(-exponent).quantize(Decimal("0.01"))

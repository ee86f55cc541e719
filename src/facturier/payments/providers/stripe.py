"""Stripe: Checkout Sessions (card and SEPA Direct Debit), signed webhooks, fees from the balance transaction.

Requests are form-encoded with Stripe's bracket notation (``line_items[0][price_data][currency]``) and
authenticated with the account's secret key as a bearer token. A webhook is trusted only when its
``Stripe-Signature`` header (``t=<unix time>,v1=<hex>``) carries a v1 signature equal to
HMAC-SHA256(endpoint secret, "<t>.<raw body>") and ``t`` is within five minutes of now.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import requests

from facturier.common.http import HttpPolicy, request
from facturier.payments.providers.base import (
    CheckoutCreated,
    CheckoutRequest,
    EventKind,
    NormalizedEvent,
    ProviderError,
    SignatureInvalid,
    from_minor,
    to_minor,
)

DEFAULT_API_BASE = "https://api.stripe.com"
TOLERANCE_SECONDS = 300
PAYMENT_METHOD_TYPES = ("card", "sepa_debit")


def sign(body: bytes, secret: str, timestamp: int) -> str:
    """The ``Stripe-Signature`` value Stripe would send for ``body`` at ``timestamp`` (tests, tooling)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(body: bytes, header: str, secret: str, *, now: float | None = None) -> None:
    """Raise ``SignatureInvalid`` unless ``header`` signs ``body`` with ``secret`` within the tolerance."""
    if not secret:
        raise SignatureInvalid("no webhook secret configured")
    timestamp, signatures = None, []
    for part in header.split(","):
        key, _sep, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureInvalid("malformed Stripe-Signature header")
    if abs((time.time() if now is None else now) - timestamp) > TOLERANCE_SECONDS:
        raise SignatureInvalid("Stripe-Signature timestamp outside the tolerance")
    expected = sign(body, secret, timestamp).rpartition("v1=")[2]
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureInvalid("no matching v1 signature")


def _form(prefix: str, value: Any, out: list[tuple[str, str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _form(f"{prefix}[{key}]", item, out)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _form(f"{prefix}[{index}]", item, out)
    else:
        out.append((prefix, str(value)))


def encode_form(params: dict[str, Any]) -> list[tuple[str, str]]:
    """Stripe's nested form encoding: ``{"a": {"b": [1]}}`` -> ``[("a[b][0]", "1")]``."""
    out: list[tuple[str, str]] = []
    for key, value in params.items():
        _form(key, value, out)
    return out


@dataclass
class StripeProvider:
    secret_key: str
    webhook_secret: str = ""
    api_base: str = DEFAULT_API_BASE
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    name: str = "stripe"

    def __post_init__(self) -> None:
        self.session = requests.Session()

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.secret_key}", **kwargs.pop("headers", {})}
        response = request(self.session, method, self.api_base.rstrip("/") + path, operation=operation,
                           policy=self.policy, headers=headers, error=ProviderError, **kwargs)  # fmt: skip
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError(f"{operation}: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError(f"{operation}: unexpected answer")
        return data

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated:
        currency = request.currency.lower()
        params: dict[str, Any] = {
            "mode": "payment",
            "payment_method_types": list(PAYMENT_METHOD_TYPES if currency == "eur" else ("card",)),
            "line_items": [{"quantity": 1, "price_data": {
                "currency": currency, "unit_amount": to_minor(request.amount, request.currency),
                "product_data": {"name": request.description}}}],
            "client_reference_id": request.invoice_id,
            "metadata": {"invoice_id": request.invoice_id, "invoice_number": request.invoice_number,
                         "checkout": request.reference},
            "payment_intent_data": {"metadata": {"invoice_id": request.invoice_id},
                                    "description": request.description},
            "success_url": request.success_url,
            "cancel_url": request.cancel_url,
            "locale": request.language if request.language in ("fr", "en") else "auto",
        }  # fmt: skip
        if request.customer_email:
            params["customer_email"] = request.customer_email
        data = self._call("POST", "/v1/checkout/sessions", "Stripe checkout session", data=encode_form(params),
                          headers={"Idempotency-Key": f"facturier-checkout-{request.reference}"})  # fmt: skip
        if not data.get("id") or not data.get("url"):
            raise ProviderError("Stripe checkout session: no id or url in the answer")
        expires = data.get("expires_at")
        return CheckoutCreated(str(data["id"]), str(data["url"]), int(expires) if expires else None)

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[NormalizedEvent]:
        verify(body, headers.get("Stripe-Signature", ""), self.webhook_secret)
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise SignatureInvalid("the signed body is not JSON") from exc
        if not isinstance(payload, dict) or not payload.get("id"):
            raise SignatureInvalid("the signed body is not a Stripe event")
        return [self.normalize(payload)]

    def normalize(self, payload: dict[str, Any]) -> NormalizedEvent:
        event_type = str(payload.get("type", ""))
        session = (payload.get("data") or {}).get("object") or {}
        base = NormalizedEvent(
            event_id=str(payload.get("id", "")), event_type=event_type, kind=EventKind.IGNORED
        )
        if session.get("object") != "checkout.session":
            return base
        currency = str(session.get("currency") or "").upper()
        method = "direct_debit" if session.get("payment_method_types") == ["sepa_debit"] else "card"
        details = session.get("customer_details") or {}
        base = replace(
            base, checkout_id=str(session.get("id", "")),
            invoice_id=str((session.get("metadata") or {}).get("invoice_id") or session.get("client_reference_id") or ""),
            amount=from_minor(session["amount_total"], currency) if session.get("amount_total") is not None else None,
            currency=currency, payment_reference=str(session.get("payment_intent") or ""), method=method,
            payer=str(details.get("name") or details.get("email") or ""),
        )  # fmt: skip
        if event_type == "checkout.session.completed":
            paid = session.get("payment_status") == "paid"
            return replace(base, kind=EventKind.PAID if paid else EventKind.PENDING)
        if event_type == "checkout.session.async_payment_succeeded":
            return replace(base, kind=EventKind.PAID)
        if event_type == "checkout.session.async_payment_failed":
            return replace(base, kind=EventKind.FAILED)
        if event_type == "checkout.session.expired":
            return replace(base, kind=EventKind.EXPIRED)
        return base

    def complete(self, event: NormalizedEvent) -> NormalizedEvent:
        """A paid session: read the fee and the actual method from the payment intent's balance transaction."""
        if event.kind != EventKind.PAID or not event.payment_reference:
            return event
        intent = self._call("GET", f"/v1/payment_intents/{event.payment_reference}", "Stripe payment intent",
                            params=[("expand[]", "latest_charge.balance_transaction")])  # fmt: skip
        charge = intent.get("latest_charge") or {}
        if not isinstance(charge, dict):
            return event
        method = (charge.get("payment_method_details") or {}).get("type")
        transaction = charge.get("balance_transaction") or {}
        fee = None
        if isinstance(transaction, dict) and transaction.get("fee") is not None:
            fee = from_minor(transaction["fee"], str(transaction.get("currency") or event.currency))
        return replace(
            event,
            fee=fee,
            method={"sepa_debit": "direct_debit", "card": "card"}.get(method or "", event.method),
        )

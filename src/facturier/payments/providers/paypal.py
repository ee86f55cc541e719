"""PayPal: Orders v2 (create, capture), webhooks verified by PayPal's own verification endpoint.

Every call carries an OAuth2 access token obtained with the client credentials grant
(``POST /v1/oauth2/token``, HTTP Basic client id:secret) and kept until shortly before it expires.
An order is created for the invoice's open balance; once the buyer approved it (they come back to
our return URL, or ``CHECKOUT.ORDER.APPROVED`` arrives) it is captured, and the capture
(``PAYMENT.CAPTURE.COMPLETED``, or the capture's answer) carries the amount and PayPal's fee
(``seller_receivable_breakdown.paypal_fee``). A webhook is trusted only when
``POST /v1/notifications/verify-webhook-signature`` answers ``SUCCESS`` for its headers, body and our
webhook id.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
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
)

DEFAULT_API_BASE = "https://api-m.paypal.com"
_TOKENS: dict[
    tuple[str, str, str], tuple[str, float]
] = {}  # (api base, client id, secret hash) -> token, until
SIGNATURE_HEADERS = {
    "auth_algo": "PAYPAL-AUTH-ALGO",
    "cert_url": "PAYPAL-CERT-URL",
    "transmission_id": "PAYPAL-TRANSMISSION-ID",
    "transmission_sig": "PAYPAL-TRANSMISSION-SIG",
    "transmission_time": "PAYPAL-TRANSMISSION-TIME",
}


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01")) if value not in (None, "") else None
    except InvalidOperation:
        return None


@dataclass
class PayPalProvider:
    client_id: str
    client_secret: str
    webhook_id: str = ""
    api_base: str = DEFAULT_API_BASE
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    name: str = "paypal"

    def __post_init__(self) -> None:
        self.session = requests.Session()

    def _url(self, path: str) -> str:
        return self.api_base.rstrip("/") + path

    @property
    def _token_key(self) -> tuple[str, str, str]:
        return (self.api_base, self.client_id, hashlib.sha256(self.client_secret.encode()).hexdigest())

    def access_token(self) -> str:
        """A bearer token, kept (per account, in this process) until a minute before it expires."""
        cached = _TOKENS.get(self._token_key)
        if cached and time.monotonic() < cached[1]:
            return cached[0]
        response = request(self.session, "POST", self._url("/v1/oauth2/token"), operation="PayPal token",
                           policy=self.policy, error=ProviderError, auth=(self.client_id, self.client_secret),
                           data={"grant_type": "client_credentials"})  # fmt: skip
        data = response.json()
        if not data.get("access_token"):
            raise ProviderError("PayPal token: no access_token in the answer", code="authentication_failed")
        token = str(data["access_token"])
        _TOKENS[self._token_key] = (token, time.monotonic() + max(int(data.get("expires_in") or 0) - 60, 0))
        return token

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> dict[str, Any]:
        extra = kwargs.pop("headers", {})
        try:
            response = request(self.session, method, self._url(path), operation=operation, policy=self.policy,
                               headers={"Authorization": f"Bearer {self.access_token()}", **extra},
                               error=ProviderError, **kwargs)  # fmt: skip
        except ProviderError as exc:
            if exc.status != 401:
                raise
            _TOKENS.pop(self._token_key, None)  # revoked or expired early: one new token, one more try
            response = request(self.session, method, self._url(path), operation=operation, policy=self.policy,
                               headers={"Authorization": f"Bearer {self.access_token()}", **extra},
                               error=ProviderError, **kwargs)  # fmt: skip
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError(f"{operation}: the answer is not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError(f"{operation}: unexpected answer")
        return data

    def create_checkout(self, request: CheckoutRequest) -> CheckoutCreated:
        body = {
            "intent": "CAPTURE",
            "purchase_units": [{
                "reference_id": request.invoice_id, "custom_id": request.invoice_id,
                "description": request.description[:127],
                "amount": {"currency_code": request.currency.upper(), "value": f"{request.amount:.2f}"},
            }],
            "payment_source": {"paypal": {"experience_context": {
                "return_url": request.success_url, "cancel_url": request.cancel_url, "user_action": "PAY_NOW",
                "shipping_preference": "NO_SHIPPING",
                "locale": "fr-FR" if request.language == "fr" else "en-GB",
            }}},
        }  # fmt: skip
        data = self._call("POST", "/v2/checkout/orders", "PayPal order", json=body,
                          headers={"PayPal-Request-Id": f"facturier-checkout-{request.reference}"})  # fmt: skip
        links = {
            link.get("rel"): link.get("href") for link in data.get("links") or [] if isinstance(link, dict)
        }
        url = links.get("payer-action") or links.get("approve")
        if not data.get("id") or not url:
            raise ProviderError("PayPal order: no id or approval link in the answer")
        return CheckoutCreated(str(data["id"]), str(url))

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> list[NormalizedEvent]:
        try:
            payload = json.loads(body)
        except ValueError as exc:
            raise SignatureInvalid("the body is not JSON") from exc
        values = {name: headers.get(header, "") for name, header in SIGNATURE_HEADERS.items()}
        if not self.webhook_id or not all(values.values()) or not isinstance(payload, dict):
            raise SignatureInvalid("missing PayPal signature headers or webhook id")
        answer = self._call("POST", "/v1/notifications/verify-webhook-signature", "PayPal webhook verification",
                            json={**values, "webhook_id": self.webhook_id, "webhook_event": payload})  # fmt: skip
        if answer.get("verification_status") != "SUCCESS":
            raise SignatureInvalid("PayPal did not verify the signature")
        return [self.normalize(payload)]

    def normalize(self, payload: dict[str, Any]) -> NormalizedEvent:
        event_type = str(payload.get("event_type", ""))
        resource = payload.get("resource") or {}
        base = NormalizedEvent(
            event_id=str(payload.get("id", "")), event_type=event_type, kind=EventKind.IGNORED
        )
        if event_type == "CHECKOUT.ORDER.APPROVED":
            unit = (resource.get("purchase_units") or [{}])[0]
            amount = unit.get("amount") or {}
            return replace(base, kind=EventKind.APPROVED, checkout_id=str(resource.get("id", "")),
                           invoice_id=str(unit.get("custom_id") or ""), amount=_decimal(amount.get("value")),
                           currency=str(amount.get("currency_code") or ""), method="paypal")  # fmt: skip
        if event_type.startswith("PAYMENT.CAPTURE."):
            order_id = ((resource.get("supplementary_data") or {}).get("related_ids") or {}).get(
                "order_id", ""
            )
            captured = self._capture_event(base, resource, str(order_id))
            kind = {"PAYMENT.CAPTURE.COMPLETED": EventKind.PAID, "PAYMENT.CAPTURE.PENDING": EventKind.PENDING,
                    "PAYMENT.CAPTURE.DENIED": EventKind.FAILED, "PAYMENT.CAPTURE.DECLINED": EventKind.FAILED,
                    }.get(event_type, EventKind.IGNORED)  # fmt: skip
            return replace(captured, kind=kind)
        return base

    @staticmethod
    def _capture_event(base: NormalizedEvent, capture: dict[str, Any], order_id: str) -> NormalizedEvent:
        amount = capture.get("amount") or {}
        breakdown = capture.get("seller_receivable_breakdown") or {}
        return replace(
            base, checkout_id=order_id, invoice_id=str(capture.get("custom_id") or ""),
            amount=_decimal(amount.get("value")), currency=str(amount.get("currency_code") or ""),
            fee=_decimal((breakdown.get("paypal_fee") or {}).get("value")),
            payment_reference=str(capture.get("id") or ""), method="paypal",
        )  # fmt: skip

    def capture(self, order_id: str) -> NormalizedEvent:
        """Capture an approved order; the answer's capture, normalized (PAID when COMPLETED)."""
        base = NormalizedEvent(event_id=f"capture:{order_id}", event_type="capture", kind=EventKind.IGNORED,
                               checkout_id=order_id)  # fmt: skip
        try:
            order = self._call("POST", f"/v2/checkout/orders/{order_id}/capture", "PayPal capture", json={},
                               headers={"PayPal-Request-Id": f"facturier-capture-{order_id}"})  # fmt: skip
        except ProviderError as exc:
            if (
                exc.status == 422
            ):  # ORDER_ALREADY_CAPTURED (its PAYMENT.CAPTURE.COMPLETED records it), or not approved
                return base
            raise
        unit = (order.get("purchase_units") or [{}])[0]
        captures = (unit.get("payments") or {}).get("captures") or []
        if not captures:
            return base
        capture = captures[0]
        event = self._capture_event(base, capture, order_id)
        status = capture.get("status")
        kind = {"COMPLETED": EventKind.PAID, "PENDING": EventKind.PENDING, "DECLINED": EventKind.FAILED}
        return replace(
            event,
            kind=kind.get(str(status), EventKind.IGNORED),
            invoice_id=event.invoice_id or str(unit.get("custom_id") or unit.get("reference_id") or ""),
        )

    def complete(self, event: NormalizedEvent) -> NormalizedEvent:
        if event.kind == EventKind.APPROVED and event.checkout_id:
            return replace(
                self.capture(event.checkout_id), event_id=event.event_id, event_type=event.event_type
            )
        return event

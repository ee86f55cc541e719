"""A fake of Stripe's API for Checkout Sessions, after Stripe's published API reference.

``POST /v1/checkout/sessions`` (form-encoded, bearer secret key, ``Idempotency-Key`` honoured) answers a
``checkout.session`` object; ``GET /v1/payment_intents/{id}`` with ``expand[]=latest_charge.balance_transaction``
answers the charge and its balance transaction (the fee). The test plays the customer (``pay``) and
Stripe's webhook sender (``event`` + ``signed``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from typing import Any

from tests.payments.fakes.server import FakeProviderServer, Request, Response

SECRET_KEY = "sk_test_facturier"
WEBHOOK_SECRET = "whsec_facturier_test"
FEE_CENTS = 175  # 1.5 % + 0.25 of 100.00, say


def _unflatten(form: dict[str, str]) -> dict[str, Any]:
    """``a[b][0]=x`` -> {"a": {"b": {"0": "x"}}} (what Stripe's parser does, lists as index-keyed dicts)."""
    out: dict[str, Any] = {}
    for key, value in form.items():
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


class FakeStripe(FakeProviderServer):
    def __init__(self) -> None:
        super().__init__()
        self.sessions: dict[str, dict[str, Any]] = {}
        self.by_idempotency: dict[str, str] = {}
        self.intents: dict[str, dict[str, Any]] = {}
        self.counter = itertools.count(1)

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {SECRET_KEY}":
            return Response.of_json(
                {"error": {"type": "invalid_request_error", "message": "Invalid API Key"}}, 401
            )
        if request.method == "POST" and request.path == "/v1/checkout/sessions":
            return self._create(request)
        match = re.fullmatch(r"/v1/payment_intents/(\w+)", request.path)
        if request.method == "GET" and match and match.group(1) in self.intents:
            intent = dict(self.intents[match.group(1)])
            if "latest_charge.balance_transaction" not in request.query.get("expand[]", []):
                intent["latest_charge"] = intent["latest_charge"]["id"]
            return Response.of_json(intent)
        return Response.of_json(
            {"error": {"type": "invalid_request_error", "message": "No such object"}}, 404
        )

    def _create(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        if key and key in self.by_idempotency:
            return Response.of_json(self.sessions[self.by_idempotency[key]])
        params = _unflatten(request.form())
        item = params["line_items"]["0"]
        number = next(self.counter)
        session_id = f"cs_test_{number:04d}"
        session = {
            "id": session_id, "object": "checkout.session", "mode": params["mode"],
            "url": f"{self.url}/c/pay/{session_id}",
            "amount_total": int(item["price_data"]["unit_amount"]) * int(item["quantity"]),
            "currency": item["price_data"]["currency"], "client_reference_id": params.get("client_reference_id"),
            "metadata": params.get("metadata", {}), "payment_intent": None, "payment_status": "unpaid",
            "status": "open", "success_url": params["success_url"], "cancel_url": params["cancel_url"],
            "payment_method_types": [params["payment_method_types"][k] for k in sorted(params["payment_method_types"])],
            "expires_at": int(time.time()) + 86400, "customer_details": None,
        }  # fmt: skip
        self.sessions[session_id] = session
        if key:
            self.by_idempotency[key] = session_id
        return Response.of_json(session)

    # --- the customer and Stripe's side ---
    def pay(self, session_id: str, *, method: str = "card", settled: bool = True) -> dict[str, Any]:
        """The customer pays: the session completes (``paid``, or ``unpaid`` while a SEPA debit clears)."""
        session = self.sessions[session_id]
        number = next(self.counter)
        intent_id = f"pi_test_{number:04d}"
        self.intents[intent_id] = {
            "id": intent_id, "object": "payment_intent", "amount": session["amount_total"],
            "currency": session["currency"], "status": "succeeded" if settled else "processing",
            "latest_charge": {"id": f"ch_test_{number:04d}", "object": "charge",
                              "payment_method_details": {"type": method},
                              "balance_transaction": {"id": f"txn_test_{number:04d}", "object": "balance_transaction",
                                                      "amount": session["amount_total"], "fee": FEE_CENTS,
                                                      "currency": session["currency"]}},
        }  # fmt: skip
        session.update(payment_intent=intent_id, status="complete", payment_status="paid" if settled else "unpaid",
                       customer_details={"email": "compta@client.example", "name": "Client SA"})  # fmt: skip
        return dict(session)

    def event(self, event_type: str, session: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"evt_test_{next(self.counter):04d}", "object": "event", "api_version": "2024-06-20",
                "created": int(time.time()), "type": event_type, "livemode": False,
                "data": {"object": session}}  # fmt: skip


def signed(
    event: dict[str, Any], *, secret: str = WEBHOOK_SECRET, at: int | None = None
) -> tuple[bytes, str]:
    """The body and ``Stripe-Signature`` Stripe sends: t=<time>,v1=hex(HMAC-SHA256(secret, "<t>.<body>"))."""
    body = json.dumps(event).encode()
    timestamp = int(time.time()) if at is None else at
    digest = hmac.new(secret.encode(), f"{timestamp}.{body.decode()}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={digest}"

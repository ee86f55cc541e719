"""A fake of PayPal's REST API (OAuth2 token, Orders v2, webhook verification), after PayPal's reference.

``POST /v1/oauth2/token`` (Basic client id:secret, ``grant_type=client_credentials``) gives a bearer token;
``POST /v2/checkout/orders`` creates an order answering ``PAYER_ACTION_REQUIRED`` with its ``payer-action``
link (``PayPal-Request-Id`` honoured); ``POST /v2/checkout/orders/{id}/capture`` captures an approved
order (422 ``ORDER_NOT_APPROVED`` / ``ORDER_ALREADY_CAPTURED`` otherwise) with the
``seller_receivable_breakdown``; ``POST /v1/notifications/verify-webhook-signature`` answers ``SUCCESS``
only for a transmission this fake signed for our webhook id. The test plays the buyer (``approve``)
and PayPal's webhook sender (``capture_completed_event`` + ``headers``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import re
import time
from decimal import Decimal
from typing import Any

from tests.payments.fakes.server import FakeProviderServer, Request, Response

CLIENT_ID, CLIENT_SECRET, WEBHOOK_ID = "AZfacturierClient", "EFfacturierSecret", "8PT597110X687430LKGECATA"
PRIVATE = b"paypal-fake-signing-key"  # stands for PayPal's private key: only this fake can sign


def _error(name: str, status: int, issue: str = "") -> Response:
    details = [{"issue": issue, "description": issue}] if issue else []
    return Response.of_json(
        {"name": name, "message": issue or name, "debug_id": "f00", "details": details}, status
    )


class FakePayPal(FakeProviderServer):
    def __init__(self) -> None:
        super().__init__()
        self.orders: dict[str, dict[str, Any]] = {}
        self.by_request_id: dict[str, str] = {}
        self.tokens: set[str] = set()
        self.counter = itertools.count(1)
        self.fee_rate = Decimal("0.029")

    def handle(self, request: Request) -> Response:
        if request.path == "/v1/oauth2/token" and request.method == "POST":
            expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
            if (
                request.headers.get("authorization") != expected
                or request.form().get("grant_type") != "client_credentials"
            ):
                return Response.of_json(
                    {"error": "invalid_client", "error_description": "Client Authentication failed"}, 401
                )
            token = f"A21AA{next(self.counter):06d}"
            self.tokens.add(token)
            return Response.of_json({"scope": "https://uri.paypal.com/services/payments/payment",
                                     "access_token": token, "token_type": "Bearer", "app_id": "APP-80W284485P519543T",
                                     "expires_in": 32400, "nonce": "2026-12-07T06:00:00Z"})  # fmt: skip
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _error("AUTHENTICATION_FAILURE", 401)
        if request.path == "/v2/checkout/orders" and request.method == "POST":
            return self._create(request)
        match = re.fullmatch(r"/v2/checkout/orders/(\w+)/capture", request.path)
        if match and request.method == "POST":
            return self._capture(match.group(1))
        if request.path == "/v1/notifications/verify-webhook-signature" and request.method == "POST":
            return self._verify(request.json())
        return _error("RESOURCE_NOT_FOUND", 404)

    def _create(self, request: Request) -> Response:
        key = request.headers.get("paypal-request-id", "")
        if key in self.by_request_id:
            return Response.of_json(self.orders[self.by_request_id[key]]["answer"])
        body = request.json()
        if body.get("intent") != "CAPTURE" or not body.get("purchase_units"):
            return _error("INVALID_REQUEST", 400, "MISSING_REQUIRED_PARAMETER")
        order_id = f"5O19{next(self.counter):06d}T"
        answer = {"id": order_id, "status": "PAYER_ACTION_REQUIRED", "payment_source": {"paypal": {}},
                  "links": [{"href": f"{self.url}/v2/checkout/orders/{order_id}", "rel": "self", "method": "GET"},
                            {"href": f"{self.url}/checkoutnow?token={order_id}", "rel": "payer-action",
                             "method": "GET"}]}  # fmt: skip
        self.orders[order_id] = {"answer": answer, "unit": body["purchase_units"][0], "status": "CREATED",
                                 "experience": body["payment_source"]["paypal"]["experience_context"]}  # fmt: skip
        if key:
            self.by_request_id[key] = order_id
        return Response.of_json(answer)

    def _capture(self, order_id: str) -> Response:
        order = self.orders.get(order_id)
        if order is None:
            return _error("RESOURCE_NOT_FOUND", 404, "INVALID_RESOURCE_ID")
        if order["status"] == "COMPLETED":
            return _error("UNPROCESSABLE_ENTITY", 422, "ORDER_ALREADY_CAPTURED")
        if order["status"] != "APPROVED":
            return _error("UNPROCESSABLE_ENTITY", 422, "ORDER_NOT_APPROVED")
        order["status"] = "COMPLETED"
        order["capture"] = self._capture_resource(order_id)
        return Response.of_json({"id": order_id, "status": "COMPLETED", "purchase_units": [{
            "reference_id": order["unit"].get("reference_id"),
            "payments": {"captures": [order["capture"]]}}]})  # fmt: skip

    def _capture_resource(self, order_id: str) -> dict[str, Any]:
        amount = self.orders[order_id]["unit"]["amount"]
        gross = Decimal(amount["value"])
        fee = (gross * self.fee_rate + Decimal("0.35")).quantize(Decimal("0.01"))
        currency = amount["currency_code"]
        return {"id": f"3C67{next(self.counter):06d}U", "status": "COMPLETED", "amount": dict(amount),
                "final_capture": True, "custom_id": self.orders[order_id]["unit"].get("custom_id"),
                "seller_receivable_breakdown": {
                    "gross_amount": {"currency_code": currency, "value": f"{gross:.2f}"},
                    "paypal_fee": {"currency_code": currency, "value": f"{fee:.2f}"},
                    "net_amount": {"currency_code": currency, "value": f"{gross - fee:.2f}"}},
                "create_time": "2026-12-07T06:00:00Z"}  # fmt: skip

    def _verify(self, body: dict[str, Any]) -> Response:
        required = ("auth_algo", "cert_url", "transmission_id", "transmission_sig", "transmission_time",
                    "webhook_id", "webhook_event")  # fmt: skip
        if any(not body.get(name) for name in required):
            return _error("VALIDATION_ERROR", 400, "MISSING_REQUIRED_PARAMETER")
        expected = self._signature(body["transmission_id"], body["transmission_time"], body["webhook_id"],
                                   body["webhook_event"])  # fmt: skip
        ok = body["webhook_id"] == WEBHOOK_ID and hmac.compare_digest(expected, body["transmission_sig"])
        return Response.of_json({"verification_status": "SUCCESS" if ok else "FAILURE"})

    @staticmethod
    def _signature(transmission_id: str, when: str, webhook_id: str, event: dict[str, Any]) -> str:
        crc = hashlib.sha256(json.dumps(event, sort_keys=True).encode()).hexdigest()
        message = f"{transmission_id}|{when}|{webhook_id}|{crc}".encode()
        return base64.b64encode(hmac.new(PRIVATE, message, hashlib.sha256).digest()).decode()

    # --- the buyer and PayPal's side ---
    def approve(self, order_id: str) -> None:
        self.orders[order_id]["status"] = "APPROVED"

    def approved_event(self, order_id: str) -> dict[str, Any]:
        unit = self.orders[order_id]["unit"]
        return self._event(
            "CHECKOUT.ORDER.APPROVED",
            "checkout-order",
            {"id": order_id, "intent": "CAPTURE", "status": "APPROVED", "purchase_units": [unit]},
        )

    def capture_completed_event(self, order_id: str, **changes: Any) -> dict[str, Any]:
        order = self.orders[order_id]
        if "capture" not in order:  # captured elsewhere (PayPal's own flow)
            order["status"], order["capture"] = "COMPLETED", self._capture_resource(order_id)
        resource = {**order["capture"], **changes,
                    "supplementary_data": {"related_ids": {"order_id": order_id}}}  # fmt: skip
        return self._event("PAYMENT.CAPTURE.COMPLETED", "capture", resource)

    def _event(self, event_type: str, resource_type: str, resource: dict[str, Any]) -> dict[str, Any]:
        return {"id": f"WH-{next(self.counter):04d}-4D6T", "event_version": "1.0", "create_time": "2026-12-07T06:00:00Z",
                "resource_type": resource_type, "resource_version": "2.0", "event_type": event_type,
                "summary": event_type, "resource": resource}  # fmt: skip

    def headers(self, event: dict[str, Any], *, webhook_id: str = WEBHOOK_ID) -> dict[str, str]:
        transmission_id, when = f"69cd13f0-{next(self.counter):04d}", time.strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"PAYPAL-AUTH-ALGO": "SHA256withRSA", "PAYPAL-CERT-URL": f"{self.url}/v1/notifications/certs/CERT-1",
                "PAYPAL-TRANSMISSION-ID": transmission_id, "PAYPAL-TRANSMISSION-TIME": when,
                "PAYPAL-TRANSMISSION-SIG": self._signature(transmission_id, when, webhook_id, event)}  # fmt: skip

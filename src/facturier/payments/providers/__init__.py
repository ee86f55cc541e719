"""Payment providers behind one interface (``base.PaymentProvider``): Stripe and PayPal.

``adapter_from(provider, values)`` builds the adapter from a company's stored settings (encrypted with
the connector credentials, ``transmission.credentials``): the keys of ``SETTINGS`` below, the API base
URL included, so each company (and each test) points at its own server.
"""

from __future__ import annotations

from typing import Any

from facturier.payments.providers.base import PaymentProvider
from facturier.payments.providers.paypal import PayPalProvider
from facturier.payments.providers.stripe import StripeProvider

PROVIDERS = ("stripe", "paypal")
SETTINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # provider: (required settings, optional settings)
    "stripe": (("secret_key", "webhook_secret"), ("api_base",)),
    "paypal": (("client_id", "client_secret", "webhook_id"), ("api_base",)),
}


def is_complete(provider: str, values: dict[str, Any]) -> bool:
    required, _optional = SETTINGS[provider]
    return all(str(values.get(name) or "").strip() for name in required)


def adapter_from(provider: str, values: dict[str, Any]) -> PaymentProvider:
    base = {"api_base": str(values["api_base"])} if values.get("api_base") else {}
    if provider == "stripe":
        return StripeProvider(secret_key=str(values.get("secret_key", "")),
                              webhook_secret=str(values.get("webhook_secret", "")), **base)  # fmt: skip
    if provider == "paypal":
        return PayPalProvider(client_id=str(values.get("client_id", "")),
                              client_secret=str(values.get("client_secret", "")),
                              webhook_id=str(values.get("webhook_id", "")), **base)  # fmt: skip
    raise ValueError(f"unknown payment provider {provider!r}")


__all__ = ["PROVIDERS", "SETTINGS", "PaymentProvider", "adapter_from", "is_complete"]

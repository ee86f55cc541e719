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
    if provider == "stripe":
        stripe = StripeProvider(secret_key=str(values.get("secret_key", "")),
                                webhook_secret=str(values.get("webhook_secret", "")))  # fmt: skip
        stripe.api_base = str(values.get("api_base") or stripe.api_base)
        return stripe
    if provider == "paypal":
        paypal = PayPalProvider(client_id=str(values.get("client_id", "")),
                                client_secret=str(values.get("client_secret", "")),
                                webhook_id=str(values.get("webhook_id", "")))  # fmt: skip
        paypal.api_base = str(values.get("api_base") or paypal.api_base)
        return paypal
    raise ValueError(f"unknown payment provider {provider!r}")


__all__ = ["PROVIDERS", "SETTINGS", "PaymentProvider", "adapter_from", "is_complete"]

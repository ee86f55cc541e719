"""Fixtures of the online payment tests: a company with its provider account on a local fake, an invoice."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.test import Client
from django.urls import reverse

from facturier.accounts.credentials import connector_credentials_set
from facturier.invoicing.services import invoice_issue
from facturier.payments.online import pay_token
from tests.payments.fakes import paypal as paypal_fake
from tests.payments.fakes import stripe as stripe_fake
from tests.payments.fakes.paypal import FakePayPal
from tests.payments.fakes.stripe import FakeStripe

PUBLIC_URL = "https://factures.atelier-dupont.example"


@pytest.fixture
def online(settings):
    settings.FACTURIER_CREDENTIALS_KEY = Fernet.generate_key().decode()
    settings.FACTURIER_PUBLIC_URL = PUBLIC_URL


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60 EUR


@pytest.fixture
def stripe():
    with FakeStripe() as fake:
        yield fake


@pytest.fixture
def paypal():
    from facturier.payments.providers import paypal as adapter

    adapter._TOKENS.clear()  # a token of another test's fake (same port) must not be taken for valid
    with FakePayPal() as fake:
        yield fake


@pytest.fixture
def stripe_account(online, entity, owner, stripe):
    connector_credentials_set(
        entity=entity,
        connector="stripe",
        by=owner,
        values={
            "secret_key": stripe_fake.SECRET_KEY,
            "webhook_secret": stripe_fake.WEBHOOK_SECRET,
            "api_base": stripe.url,
        },
    )
    return stripe


@pytest.fixture
def paypal_account(online, entity, owner, paypal):
    connector_credentials_set(
        entity=entity,
        connector="paypal",
        by=owner,
        values={
            "client_id": paypal_fake.CLIENT_ID,
            "client_secret": paypal_fake.CLIENT_SECRET,
            "webhook_id": paypal_fake.WEBHOOK_ID,
            "api_base": paypal.url,
        },
    )
    return paypal


def pay_path(invoice, **query: str) -> str:
    path = reverse("payments:pay", kwargs={"token": pay_token(invoice)})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def post_webhook(provider: str, entity, body: bytes, headers: dict[str, str]):
    return Client().post(
        f"/webhooks/{provider}/{entity.pk}", data=body, content_type="application/json", headers=headers
    )

"""Fakes of the remote channels (threads on 127.0.0.1), settings pointing at them, an issued invoice."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from facturier.invoicing.services import invoice_issue
from tests.transmission.fakes import chorus_pro, platform
from tests.transmission.fakes.chorus_pro import FakeChorusPro
from tests.transmission.fakes.platform import FakePlatform

WEBHOOK_KEY = "c2lnbmluZy1rZXktb2YtdGhlLXRlc3QtcGxhdGZvcm0tMzItYnl0ZXM="


@pytest.fixture
def chorus() -> Iterator[FakeChorusPro]:
    fake = FakeChorusPro().start()
    yield fake
    fake.stop()


@pytest.fixture
def platform_api() -> Iterator[FakePlatform]:
    fake = FakePlatform().start()
    yield fake
    fake.stop()


@pytest.fixture
def channels(settings, chorus: FakeChorusPro, platform_api: FakePlatform):  # type: ignore[no-untyped-def]
    settings.DEFAULT_FROM_EMAIL = "factures@dupont.example"
    settings.FACTURIER_TRANSMISSION = {
        "timeout": 2, "retries": 1, "backoff": 0,
        "chorus_pro": {
            "api_url": chorus.url, "token_url": f"{chorus.url}/api/oauth/token",
            "client_id": chorus_pro.CLIENT_ID, "client_secret": chorus_pro.CLIENT_SECRET,
            "login": chorus_pro.LOGIN, "password": chorus_pro.PASSWORD,
        },
        "pdp": {
            "api_url": platform_api.url, "token_url": f"{platform_api.url}/token",
            "client_id": platform.CLIENT_ID, "client_secret": platform.CLIENT_SECRET, "webhook_key": WEBHOOK_KEY,
        },
    }  # fmt: skip
    return settings.FACTURIER_TRANSMISSION


@pytest.fixture
def issued_invoice(draft_invoice, owner, settings):  # type: ignore[no-untyped-def]
    settings.EINVOICE_VALIDATE_ON_ISSUE = False  # validation on issue has its own tests
    return invoice_issue(invoice=draft_invoice, by=owner)


@pytest.fixture
def public_customer(customer):  # type: ignore[no-untyped-def]
    customer.kind, customer.siret, customer.service_code = "public", "21750001600019", "SERV-COMPTA"
    customer.save()
    return customer

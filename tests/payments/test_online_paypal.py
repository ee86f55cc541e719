"""Paying an invoice online with PayPal (Orders v2): against a local fake of PayPal's REST API."""

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from facturier.payments.checkout_models import Checkout, CheckoutStatus, ProviderEvent
from facturier.payments.models import Method, Payment
from facturier.payments.online import pay_token
from facturier.payments.selectors import Settlement, settlement_of
from tests.payments.online_fixtures import pay_path, post_webhook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC), tick=True),
]
DUE = Decimal("3204.60")
FEE = (DUE * Decimal("0.029") + Decimal("0.35")).quantize(Decimal("0.01"))


def _open_checkout(invoice) -> Checkout:
    response = Client().get(pay_path(invoice))
    assert response.status_code == 302
    checkout = Checkout.objects.get(document=invoice)
    assert response["Location"] == checkout.url
    return checkout


def _deliver(fake, entity, event, **kwargs):
    return post_webhook("paypal", entity, json.dumps(event).encode(), fake.headers(event, **kwargs))


def test_the_pay_link_creates_a_paypal_order_for_the_balance_with_a_client_credentials_token(
    invoice, paypal_account
):
    checkout = _open_checkout(invoice)
    # then PayPal was asked for a token once, then for an order to capture of 3,204.60 EUR for this invoice
    assert len(paypal_account.calls("/v1/oauth2/token", "POST")) == 1
    (created,) = paypal_account.calls("/v2/checkout/orders", "POST")
    unit = created.json()["purchase_units"][0]
    assert created.json()["intent"] == "CAPTURE"
    assert unit["amount"] == {"currency_code": "EUR", "value": "3204.60"}
    assert unit["custom_id"] == str(invoice.pk)
    context = created.json()["payment_source"]["paypal"]["experience_context"]
    assert urlsplit(context["return_url"]).path == reverse(
        "payments:pay-done", kwargs={"token": pay_token(invoice)}
    )
    assert checkout.url.endswith(f"/checkoutnow?token={checkout.provider_id}")
    assert checkout.provider == "paypal"


def test_the_buyer_returning_from_paypal_captures_the_order_and_the_webhook_then_changes_nothing(
    invoice, paypal_account, django_capture_on_commit_callbacks
):
    # given an order the buyer approved on PayPal
    checkout = _open_checkout(invoice)
    paypal_account.approve(checkout.provider_id)
    # when they come back to the return URL
    done = reverse("payments:pay-done", kwargs={"token": pay_token(invoice)})
    response = Client().get(done, {"token": checkout.provider_id, "PayerID": "QYR5Z8XDVJNXQ"})
    # then the order is captured and the payment recorded with PayPal's fee
    assert response.status_code == 200
    assert "la facture est réglée" in response.content.decode()
    payment = Payment.objects.get()
    assert (payment.amount, payment.method) == (DUE, Method.PAYPAL)
    checkout.refresh_from_db()
    assert (checkout.status, checkout.fee, checkout.payment) == (CheckoutStatus.PAID, FEE, payment)
    # when PayPal's PAYMENT.CAPTURE.COMPLETED arrives, and again
    event = paypal_account.capture_completed_event(checkout.provider_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(paypal_account, invoice.entity, event).status_code == 200
        assert _deliver(paypal_account, invoice.entity, event).status_code == 200
    # then still one payment, and the return page reloaded does not capture again
    Client().get(done, {"token": checkout.provider_id})
    assert Payment.objects.count() == 1
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert len(paypal_account.calls(f"/v2/checkout/orders/{checkout.provider_id}/capture", "POST")) == 1
    assert ProviderEvent.objects.get().outcome == "already_recorded"


def test_an_approved_order_announced_by_webhook_is_captured_by_the_worker_once(
    invoice, paypal_account, django_capture_on_commit_callbacks
):
    checkout = _open_checkout(invoice)
    paypal_account.approve(checkout.provider_id)
    approved = paypal_account.approved_event(checkout.provider_id)
    # when CHECKOUT.ORDER.APPROVED arrives (twice), then the capture's own event
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(paypal_account, invoice.entity, approved)
        _deliver(paypal_account, invoice.entity, approved)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(paypal_account, invoice.entity, paypal_account.capture_completed_event(checkout.provider_id))
    # then one capture, one payment, the fee recorded
    assert len(paypal_account.calls(f"/v2/checkout/orders/{checkout.provider_id}/capture", "POST")) == 1
    assert Payment.objects.count() == 1
    checkout.refresh_from_db()
    assert checkout.fee == FEE
    assert sorted(ProviderEvent.objects.values_list("outcome", flat=True)) == ["already_recorded", "recorded"]


def test_a_capture_completed_before_the_order_approval_reaches_us_is_recorded_and_the_approval_then_ignored(
    invoice, paypal_account, django_capture_on_commit_callbacks
):
    checkout = _open_checkout(invoice)
    paypal_account.approve(checkout.provider_id)
    approved = paypal_account.approved_event(checkout.provider_id)
    completed = paypal_account.capture_completed_event(checkout.provider_id)  # captured on PayPal's side
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(paypal_account, invoice.entity, completed)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(paypal_account, invoice.entity, approved)
    assert Payment.objects.count() == 1
    assert dict(ProviderEvent.objects.values_list("event_type", "outcome")) == {
        "PAYMENT.CAPTURE.COMPLETED": "recorded",
        "CHECKOUT.ORDER.APPROVED": "already_recorded",
    }


@pytest.mark.parametrize("forgery", ["other_webhook_id", "missing_headers", "body_changed"])
def test_a_webhook_paypal_does_not_verify_is_refused(invoice, paypal_account, forgery):
    checkout = _open_checkout(invoice)
    paypal_account.approve(checkout.provider_id)
    event = paypal_account.capture_completed_event(checkout.provider_id)
    headers = paypal_account.headers(
        event, **({"webhook_id": "SOMEONEELSE"} if forgery == "other_webhook_id" else {})
    )
    if forgery == "missing_headers":
        headers.pop("PAYPAL-TRANSMISSION-SIG")
    body = json.dumps({**event, "resource": {**event["resource"], "amount": {"currency_code": "EUR", "value": "1.00"}}}
                      if forgery == "body_changed" else event).encode()  # fmt: skip
    assert post_webhook("paypal", invoice.entity, body, headers).status_code == 400
    assert not ProviderEvent.objects.exists()
    assert not Payment.objects.exists()


def test_a_capture_in_another_currency_is_refused(
    invoice, paypal_account, django_capture_on_commit_callbacks
):
    checkout = _open_checkout(invoice)
    paypal_account.approve(checkout.provider_id)
    event = paypal_account.capture_completed_event(
        checkout.provider_id, amount={"currency_code": "USD", "value": "3204.60"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(paypal_account, invoice.entity, event).status_code == 200
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.REFUSED
    assert not Payment.objects.exists()


def test_the_paypal_token_is_kept_until_it_expires_and_renewed_once_when_refused(invoice, paypal_account):
    from facturier.payments.online import adapter_for
    from facturier.payments.providers.base import CheckoutRequest

    def order(reference: str) -> None:
        adapter_for(invoice.entity, "paypal").create_checkout(CheckoutRequest(
            invoice_id=str(invoice.pk), invoice_number=invoice.number, amount=DUE, currency="EUR",
            description="x", success_url="https://x.example/ok", cancel_url="https://x.example/ko",
            reference=reference))  # fmt: skip

    # two orders: one token
    order("a")
    order("b")
    assert len(paypal_account.calls("/v1/oauth2/token", "POST")) == 1
    # when PayPal no longer accepts it (revoked), one new token is asked for and the call goes through
    paypal_account.tokens.clear()
    order("c")
    assert len(paypal_account.calls("/v1/oauth2/token", "POST")) == 2
    assert len(paypal_account.orders) == 3

"""Paying an invoice online with Stripe Checkout: against a local fake of Stripe's API and webhooks."""

import datetime as dt
import time
from decimal import Decimal

import pytest
from django.test import Client

from facturier.payments.checkout_models import Checkout, CheckoutStatus, ProviderEvent
from facturier.payments.models import Method, Payment
from facturier.payments.online import _checkout_store, adapter_for
from facturier.payments.providers.base import CheckoutRequest, SignatureInvalid
from facturier.payments.providers.stripe import encode_form, sign, verify
from facturier.payments.selectors import Settlement, settlement_of
from tests.payments.fakes.stripe import FEE_CENTS, WEBHOOK_SECRET, signed
from tests.payments.online_fixtures import pay_path, post_webhook

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.time_machine(dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC), tick=True),
]
DUE = Decimal("3204.60")


def _open_checkout(invoice) -> Checkout:
    response = Client().get(pay_path(invoice))
    assert response.status_code == 302
    checkout = Checkout.objects.get(document=invoice)
    assert response["Location"] == checkout.url
    return checkout


def _deliver(entity, event, **kwargs):
    body, signature = signed(event, **kwargs)
    return post_webhook("stripe", entity, body, {"Stripe-Signature": signature})


def test_the_pay_link_opens_a_stripe_checkout_for_the_balance_and_reuses_it(invoice, stripe_account):
    # when the customer follows the pay link twice
    checkout = _open_checkout(invoice)
    again = Client().get(pay_path(invoice))
    # then one Checkout Session was created at Stripe, for the open balance, card and SEPA debit, invoice in metadata
    created = stripe_account.calls("/v1/checkout/sessions", "POST")
    assert len(created) == 1
    assert again["Location"] == checkout.url
    form = created[0].form()
    assert form["line_items[0][price_data][unit_amount]"] == "320460"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert (form["payment_method_types[0]"], form["payment_method_types[1]"]) == ("card", "sepa_debit")
    assert form["metadata[invoice_id]"] == str(invoice.pk)
    assert form["mode"] == "payment"
    assert created[0].headers["idempotency-key"] == f"facturier-checkout-{checkout.pk}"
    assert (checkout.provider, checkout.amount, checkout.currency, checkout.status) == (
        "stripe",
        DUE,
        "EUR",
        "open",
    )


def test_a_paid_checkout_records_and_allocates_the_payment_once_with_stripes_fee(
    invoice, stripe_account, django_capture_on_commit_callbacks
):
    # given an open checkout the customer paid by card
    checkout = _open_checkout(invoice)
    session = stripe_account.pay(checkout.provider_id)
    completed = stripe_account.event("checkout.session.completed", session)
    # when Stripe delivers the event, twice, then a late async_payment_succeeded for the same session
    with django_capture_on_commit_callbacks(execute=True):
        first = _deliver(invoice.entity, completed)
    with django_capture_on_commit_callbacks(execute=True):
        second = _deliver(invoice.entity, completed)
        third = _deliver(
            invoice.entity, stripe_account.event("checkout.session.async_payment_succeeded", session)
        )
    # then every delivery is acknowledged and exactly one payment settles the invoice
    assert [first.status_code, second.status_code, third.status_code] == [200, 200, 200]
    payment = Payment.objects.get()
    assert (payment.amount, payment.currency, payment.method) == (DUE, "EUR", Method.CARD)
    assert payment.reference == session["payment_intent"]
    assert payment.received_on == dt.date(2026, 12, 7)
    assert settlement_of(invoice).settlement == Settlement.PAID
    checkout.refresh_from_db()
    assert (checkout.status, checkout.payment, checkout.fee) == (
        CheckoutStatus.PAID,
        payment,
        Decimal(FEE_CENTS) / 100,
    )
    assert ProviderEvent.objects.count() == 2
    assert sorted(ProviderEvent.objects.values_list("outcome", flat=True)) == ["already_recorded", "recorded"]
    # and once paid, the pay link shows there is nothing left to pay and opens no new checkout
    response = Client().get(pay_path(invoice))
    assert response.status_code == 200
    assert "Il ne reste rien à payer sur FAC-" in response.content.decode()
    assert len(stripe_account.calls("/v1/checkout/sessions", "POST")) == 1


@pytest.mark.parametrize("tamper", ["wrong_secret", "too_old", "missing", "body_changed"])
def test_a_webhook_with_a_bad_signature_is_refused_and_nothing_is_stored(invoice, stripe_account, tamper):
    checkout = _open_checkout(invoice)
    event = stripe_account.event("checkout.session.completed", stripe_account.pay(checkout.provider_id))
    body, signature = signed(event, secret="whsec_someone_else" if tamper == "wrong_secret" else WEBHOOK_SECRET,
                             at=int(time.time()) - 301 if tamper == "too_old" else None)  # fmt: skip
    if tamper == "body_changed":
        body = body.replace(b'"amount_total": 320460', b'"amount_total": 1')
    headers = {} if tamper == "missing" else {"Stripe-Signature": signature}
    response = post_webhook("stripe", invoice.entity, body, headers)
    assert response.status_code == 400
    assert not ProviderEvent.objects.exists()
    assert not Payment.objects.exists()


def test_a_webhook_for_a_company_without_stripe_is_not_found(invoice, online):
    body, signature = signed({"id": "evt_1", "type": "checkout.session.completed", "data": {"object": {}}})
    assert post_webhook("stripe", invoice.entity, body, {"Stripe-Signature": signature}).status_code == 404


def test_a_payment_reported_before_its_checkout_is_stored_is_recorded_when_the_checkout_arrives(
    invoice, stripe_account, django_capture_on_commit_callbacks
):
    # given a session Stripe created, paid at once, whose webhook beats our own commit of the checkout
    adapter = adapter_for(invoice.entity, "stripe")
    created = adapter.create_checkout(CheckoutRequest(
        invoice_id=str(invoice.pk), invoice_number=invoice.number, amount=DUE, currency="EUR", description="x",
        success_url="https://x.example/ok", cancel_url="https://x.example/ko", reference="ref-1"))  # fmt: skip
    event = stripe_account.event("checkout.session.completed", stripe_account.pay(created.provider_id))
    with django_capture_on_commit_callbacks(execute=True):
        assert _deliver(invoice.entity, event).status_code == 200
    # then it waits, nothing recorded
    assert ProviderEvent.objects.get().outcome == "waiting_for_checkout"
    assert not Payment.objects.exists()
    # when our checkout row commits
    import uuid

    with django_capture_on_commit_callbacks(execute=True):
        _checkout_store(invoice, "stripe", uuid.uuid4(), created.provider_id, created.url, DUE, None)
    # then the waiting event is applied: paid once
    assert Payment.objects.count() == 1
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert ProviderEvent.objects.get().outcome == "recorded"


def test_a_sepa_debit_success_arriving_before_the_completed_event_is_recorded_once(
    invoice, stripe_account, django_capture_on_commit_callbacks
):
    # given a checkout paid by SEPA debit: completed (unpaid) then, days later, async_payment_succeeded
    checkout = _open_checkout(invoice)
    pending = stripe_account.pay(checkout.provider_id, method="sepa_debit", settled=False)
    completed = stripe_account.event("checkout.session.completed", pending)
    succeeded = stripe_account.event(
        "checkout.session.async_payment_succeeded", {**pending, "payment_status": "paid"}
    )
    # when Stripe delivers them out of order
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(invoice.entity, succeeded)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(invoice.entity, completed)
    # then the payment is recorded once, as a direct debit, and the late "pending" does not undo it
    payment = Payment.objects.get()
    assert payment.method == Method.DIRECT_DEBIT
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.PAID


def test_a_failed_sepa_debit_records_nothing(invoice, stripe_account, django_capture_on_commit_callbacks):
    checkout = _open_checkout(invoice)
    pending = stripe_account.pay(checkout.provider_id, method="sepa_debit", settled=False)
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(invoice.entity, stripe_account.event("checkout.session.completed", pending))
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(invoice.entity, stripe_account.event("checkout.session.async_payment_failed", pending))
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.FAILED
    assert not Payment.objects.exists()
    # and the pay link opens a new checkout
    assert Client().get(pay_path(invoice)).status_code == 302
    assert Checkout.objects.filter(status=CheckoutStatus.OPEN).count() == 1


@pytest.mark.parametrize("change", [{"amount_total": 100}, {"currency": "usd"}])
def test_a_payment_of_another_amount_or_currency_is_refused(
    invoice, stripe_account, change, django_capture_on_commit_callbacks
):
    checkout = _open_checkout(invoice)
    session = {**stripe_account.pay(checkout.provider_id), **change}
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            _deliver(invoice.entity, stripe_account.event("checkout.session.completed", session)).status_code
            == 200
        )
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.REFUSED
    assert not Payment.objects.exists()
    assert ProviderEvent.objects.get().outcome == "amount_mismatch"
    assert settlement_of(invoice).settlement == Settlement.UNPAID


def test_an_invoice_paid_by_transfer_meanwhile_keeps_the_card_payment_as_customer_credit(
    invoice, stripe_account, owner, django_capture_on_commit_callbacks
):
    from facturier.payments.selectors import unallocated_credit
    from facturier.payments.services import payment_record_for_invoice

    checkout = _open_checkout(invoice)
    payment_record_for_invoice(
        invoice=invoice, amount=Decimal("3000.00"), received_on=dt.date(2026, 12, 7), by=owner
    )
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(
            invoice.entity,
            stripe_account.event("checkout.session.completed", stripe_account.pay(checkout.provider_id)),
        )
    # the money is recorded: 204.60 settles the invoice, the rest is the customer's credit
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert Payment.objects.count() == 2
    assert unallocated_credit(invoice.customer) == DUE - Decimal("204.60")


def test_stripe_signatures_follow_the_published_scheme():
    body = b'{"id": "evt_1"}'
    header = sign(body, "whsec_x", 1_700_000_000)
    verify(body, header, "whsec_x", now=1_700_000_100)
    verify(
        body, "t=1700000000,v1=deadbeef," + header.split(",")[1], "whsec_x", now=1_700_000_000
    )  # rotated secret
    with pytest.raises(SignatureInvalid):
        verify(body, header, "whsec_x", now=1_700_000_301)
    with pytest.raises(SignatureInvalid):
        verify(body, "v1=abc", "whsec_x")
    assert encode_form({"a": {"b": [1, "x"]}, "c": "d"}) == [("a[b][0]", "1"), ("a[b][1]", "x"), ("c", "d")]


def test_the_provider_events_schedule_applies_an_event_left_unprocessed(
    invoice, stripe_account, django_capture_on_commit_callbacks
):
    from facturier.payments.checkout_tasks import process_pending_provider_events

    # given a paid event stored while its checkout was unknown, the checkout then stored without its task
    adapter = adapter_for(invoice.entity, "stripe")
    created = adapter.create_checkout(CheckoutRequest(
        invoice_id=str(invoice.pk), invoice_number=invoice.number, amount=DUE, currency="EUR", description="x",
        success_url="https://x.example/ok", cancel_url="https://x.example/ko", reference="ref-2"))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        _deliver(invoice.entity, stripe_account.event("checkout.session.completed",
                                                      stripe_account.pay(created.provider_id)))  # fmt: skip
    Checkout.objects.create(entity=invoice.entity, document=invoice, provider="stripe", url=created.url,
                            provider_id=created.provider_id, amount=DUE, currency="EUR")  # fmt: skip
    # when the periodic job runs, twice
    assert process_pending_provider_events.call() == {"processed": 1}
    assert process_pending_provider_events.call() == {"processed": 0}
    # then the payment is recorded once
    assert Payment.objects.count() == 1
    assert ProviderEvent.objects.get().outcome == "recorded"

"""Provider webhooks delivered at the same moment, twice each, still record a paid checkout once (PostgreSQL)."""

import pytest
from django.test import Client

from facturier.payments.checkout_models import Checkout, ProviderEvent
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import Settlement, settlement_of
from tests.payments.fakes.stripe import signed
from tests.payments.online_fixtures import pay_path, post_webhook
from tests.pg_race import at_once


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_deliveries_of_a_paid_checkout_record_and_allocate_one_payment(
    invoice, stripe_account
):
    # given a checkout the customer paid, and Stripe's two events about it
    assert Client().get(pay_path(invoice)).status_code == 302
    checkout = Checkout.objects.get(document=invoice)
    session = stripe_account.pay(checkout.provider_id)
    events = [stripe_account.event("checkout.session.completed", session),
              stripe_account.event("checkout.session.async_payment_succeeded", session)]  # fmt: skip
    deliveries = [signed(event) for event in events for _twice in range(2)]

    def deliver(body: bytes, signature: str):  # type: ignore[no-untyped-def]
        return lambda: (
            post_webhook("stripe", invoice.entity, body, {"Stripe-Signature": signature}).status_code
        )

    # when the four deliveries (each event twice) arrive at once, each processed on commit
    statuses = at_once(*[deliver(*delivery) for delivery in deliveries])
    # then all are acknowledged, two events are stored, one payment is recorded and allocated once
    assert statuses == [200, 200, 200, 200]
    assert ProviderEvent.objects.count() == 2
    assert sorted(ProviderEvent.objects.values_list("outcome", flat=True)) == ["already_recorded", "recorded"]
    assert Payment.objects.count() == 1
    assert Allocation.objects.filter(document=invoice).count() == 1
    assert settlement_of(invoice).settlement == Settlement.PAID

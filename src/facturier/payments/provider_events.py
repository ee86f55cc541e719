"""Provider webhooks: stored once, processed by a task, a paid checkout recorded and allocated once.

Receiving (``webhook_receive``) verifies the signature, stores each event under its provider id (a
redelivered event finds its row and changes nothing) and enqueues its processing on commit.
Processing (``provider_event_process``) asks the provider what it must (PayPal: capture an approved
order; Stripe: the fee from the balance transaction) before taking any lock, then applies the event
to its checkout under that checkout's row lock (``checkout_apply``): the first paid event records the
payment and links it to the checkout (one-to-one), every later one, whatever its order, finds the
payment there and only completes the fee. An event for a checkout not stored yet waits (it is applied
when the checkout row commits, or by the periodic ``process_pending_provider_events``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from facturier.accounts.actor import SYSTEM
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record
from facturier.common.errors import ValidationFailed
from facturier.payments.checkout_models import Checkout, CheckoutStatus, ProviderEvent
from facturier.payments.models import Method
from facturier.payments.online import adapter_for, amount_due
from facturier.payments.providers.base import EventKind, NormalizedEvent, ProviderError
from facturier.payments.services import payment_record

logger = logging.getLogger(__name__)
WAITING = "waiting_for_checkout"
METHODS = {"card": Method.CARD, "direct_debit": Method.DIRECT_DEBIT, "paypal": Method.PAYPAL}


class NotConfigured(Exception):
    """The company has no (complete) account with this provider."""


def webhook_receive(*, entity: LegalEntity, provider: str, body: bytes, headers: Mapping[str, str]) -> int:
    """Verify and store the events of one webhook call; the number of events new to us.

    Raises ``SignatureInvalid`` (refuse with 400), ``NotConfigured`` (404), ``ProviderError`` (PayPal's
    verification unreachable: answer 503 so the provider delivers again).
    """
    adapter = adapter_for(entity, provider)
    if adapter is None:
        raise NotConfigured(provider)
    events = adapter.parse_webhook(body, headers)
    payload = json.loads(body)
    new = []
    with transaction.atomic():
        for event in events:
            row, created = ProviderEvent.objects.get_or_create(
                provider=provider, event_id=event.event_id,
                defaults={"entity": entity, "event_type": event.event_type[:100],
                          "checkout_ref": event.checkout_id[:255], "payload": payload},
            )  # fmt: skip
            if created:
                new.append(str(row.pk))
        if new:
            from facturier.payments.checkout_tasks import process_provider_event

            transaction.on_commit(lambda: [process_provider_event.enqueue(pk) for pk in new])
    return len(new)


def provider_event_process(*, event_pk: str) -> str:
    """Apply one stored event (idempotent: a processed event is left alone); its outcome."""
    event = ProviderEvent.objects.select_related("entity").get(pk=event_pk)
    if event.processed_at is not None:
        return str(event.outcome)
    adapter = adapter_for(event.entity, event.provider)
    if adapter is None:
        return _finish(event, "not_configured")
    normalized = adapter.normalize(event.payload)
    open_checkout = Checkout.objects.filter(entity=event.entity, provider=event.provider,
                                            provider_id=normalized.checkout_id, payment__isnull=True).exists()  # fmt: skip
    if open_checkout and normalized.kind in (EventKind.PAID, EventKind.APPROVED):
        normalized = adapter.complete(normalized)  # calls out: before any lock
    return checkout_apply(entity=event.entity, provider=event.provider, event=normalized, stored=event)


def _finish(stored: ProviderEvent, outcome: str, *, processed: bool = True) -> str:
    ProviderEvent.objects.filter(pk=stored.pk).update(
        outcome=outcome, processed_at=timezone.now() if processed else None, updated_at=timezone.now()
    )
    return outcome


@transaction.atomic
def checkout_apply(
    *, entity: LegalEntity, provider: str, event: NormalizedEvent, stored: ProviderEvent | None = None
) -> str:
    """Apply a normalized event to its checkout, under the checkout's row lock; the outcome."""
    if stored is not None:
        stored = ProviderEvent.objects.select_for_update().get(pk=stored.pk)
        if stored.processed_at is not None:
            return str(stored.outcome)
    checkout = (
        Checkout.objects.select_for_update()
        .filter(entity=entity, provider=provider, provider_id=event.checkout_id).first()
    )  # fmt: skip
    if checkout is None:
        return _finish(stored, WAITING, processed=False) if stored is not None else WAITING
    outcome = _apply(checkout, event)
    return _finish(stored, outcome) if stored is not None else outcome


def _apply(checkout: Checkout, event: NormalizedEvent) -> str:
    if event.kind == EventKind.PAID:
        return _paid(checkout, event)
    if checkout.status == CheckoutStatus.PAID:
        return "already_recorded"
    if event.kind == EventKind.PENDING and checkout.status == CheckoutStatus.OPEN:
        checkout.status = CheckoutStatus.PENDING
        checkout.save(update_fields=["status", "updated_at"])
        return "pending"
    if event.kind in (EventKind.FAILED, EventKind.EXPIRED) and checkout.status in (
        CheckoutStatus.OPEN, CheckoutStatus.PENDING,
    ):  # fmt: skip
        checkout.status = CheckoutStatus.FAILED if event.kind == EventKind.FAILED else CheckoutStatus.EXPIRED
        checkout.save(update_fields=["status", "updated_at"])
        audit_record(entity=checkout.entity, actor=None, action="payment.checkout_failed", obj=checkout,
                     after={"status": checkout.status, "event": event.event_type})  # fmt: skip
        return checkout.status
    return "ignored"


def _paid(checkout: Checkout, event: NormalizedEvent) -> str:
    if checkout.payment_id is not None:
        if event.fee is not None and checkout.fee is None:
            checkout.fee = event.fee
            checkout.save(update_fields=["fee", "updated_at"])
        return "already_recorded"
    if event.amount != checkout.amount or event.currency.upper() != checkout.currency.upper():
        if checkout.status != CheckoutStatus.REFUSED:
            checkout.status = CheckoutStatus.REFUSED
            checkout.save(update_fields=["status", "updated_at"])
            audit_record(entity=checkout.entity, actor=None, action="payment.checkout_refused", obj=checkout,
                         before={"amount": checkout.amount, "currency": checkout.currency},
                         after={"amount": event.amount, "currency": event.currency})  # fmt: skip
        logger.warning("checkout %s paid %s %s, expected %s %s: not recorded", checkout, event.amount,
                       event.currency, checkout.amount, checkout.currency)  # fmt: skip
        return "amount_mismatch"
    document = checkout.document
    due = amount_due(document)  # the invoice may have been paid another way meanwhile: the rest is credit
    part = min(checkout.amount, due)
    payment = payment_record(
        entity=checkout.entity, customer=document.customer, amount=checkout.amount, currency=checkout.currency,
        received_on=timezone.localdate(timezone=ZoneInfo(checkout.entity.time_zone)), by=SYSTEM, method=METHODS.get(event.method, Method.CARD),
        reference=(event.payment_reference or checkout.provider_id)[:140], payer=event.payer[:200],
        allocations=[(document, part)] if part > 0 else [],
    )  # fmt: skip
    checkout.payment, checkout.status, checkout.fee = payment, CheckoutStatus.PAID, event.fee
    checkout.payment_reference, checkout.paid_at = event.payment_reference[:255], timezone.now()
    checkout.save()
    audit_record(entity=checkout.entity, actor=None, action="payment.checkout_paid", obj=checkout,
                 after={"payment": str(payment.pk), "amount": checkout.amount, "currency": checkout.currency,
                        "fee": event.fee, "allocated": part})  # fmt: skip
    return "recorded"


def paypal_return(*, checkout: Checkout) -> str:
    """The buyer came back from PayPal having approved the order: capture it and record it now."""
    adapter = adapter_for(checkout.entity, checkout.provider)
    if adapter is None or not hasattr(adapter, "capture"):
        raise ValidationFailed("PayPal is not configured", code="not_configured")
    captured: Any = adapter.capture(checkout.provider_id)
    return checkout_apply(entity=checkout.entity, provider=checkout.provider, event=captured)


def process_pending(*, limit: int = 500) -> int:
    """Apply the stored events still unprocessed (lost tasks, events that waited for their checkout)."""
    done = 0
    for pk in ProviderEvent.objects.filter(processed_at__isnull=True).values_list("pk", flat=True)[:limit]:
        try:
            if provider_event_process(event_pk=str(pk)) != WAITING:
                done += 1
        except ProviderError as exc:
            logger.warning("provider event %s: %s", pk, exc.message)
    return done

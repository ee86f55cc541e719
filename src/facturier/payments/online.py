"""Online payment of an invoice: its stable "pay" link and the provider checkout behind it.

The link (``/pay/<signed token>/``) names the invoice, signed with the site's secret so it cannot be
guessed or altered; it is the same every time, so it can be printed on the PDF at issue and put in the
email. Following it opens (or reuses, while still open and for the same amount) a checkout at the
company's provider for what the invoice still owes, then redirects there. The company enables online
payment by storing its provider account (``facturier credentials set --connector stripe|paypal``,
encrypted with the connector credentials); without one the invoice has no link.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.credentials import stored_credentials
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Kind
from facturier.payments import errors
from facturier.payments.checkout_models import Checkout, CheckoutStatus, ProviderEvent
from facturier.payments.providers import PROVIDERS, adapter_from, is_complete
from facturier.payments.providers.base import CheckoutRequest, PaymentProvider
from facturier.payments.selectors import settlement_of

PAY_SALT = "facturier.payments.pay"
REUSE_FOR = dt.timedelta(hours=23)  # a Stripe session lives 24 h: do not hand out one about to expire


def pay_token(document: Document) -> str:
    return signing.Signer(salt=PAY_SALT).sign(document.pk.hex)


def document_for_token(token: str) -> Document | None:
    try:
        pk = uuid.UUID(signing.Signer(salt=PAY_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return Document.objects.select_related("entity", "customer").filter(pk=pk).first()


def configured_providers(entity: LegalEntity) -> dict[str, dict[str, Any]]:
    """The company's complete provider accounts, in order of preference (Stripe first)."""
    found = {}
    for provider in PROVIDERS:
        values = stored_credentials(provider, entity=entity)
        if values and is_complete(provider, values):
            found[provider] = values
    return found


def adapter_for(entity: LegalEntity, provider: str) -> PaymentProvider | None:
    values = configured_providers(entity).get(provider)
    return adapter_from(provider, values) if values is not None else None


def is_payable_online(document: Document) -> bool:
    """An issued invoice (not a credit note) of a company with a provider account."""
    return (
        document.kind == Kind.INVOICE and not document.is_credit_note and bool(document.number)
        and bool(configured_providers(document.entity))
    )  # fmt: skip


def pay_url(document: Document) -> str | None:
    """The absolute pay link of an issued invoice, or None when the company has no online payment."""
    if not is_payable_online(document):
        return None
    path = reverse("payments:pay", kwargs={"token": pay_token(document)})
    return str(getattr(settings, "FACTURIER_PUBLIC_URL", "http://localhost:8000")).rstrip("/") + path


def amount_due(document: Document) -> Decimal:
    if document.status not in OPEN_RECEIVABLE:
        return Decimal("0.00")
    return settlement_of(document).balance


def checkout_open(*, document: Document, provider: str | None, success_url: str, cancel_url: str) -> Checkout:
    """The provider checkout for what ``document`` still owes: an open one reused, else a new one."""
    configured = configured_providers(document.entity)
    name = provider if provider in configured else next(iter(configured), None)
    if name is None or not is_payable_online(document):
        raise Conflict(_("Online payment is not available for this invoice."), code=errors.NOT_PAYABLE)
    due = amount_due(document)
    if due <= 0:
        raise Conflict(
            _("Nothing is left to pay on %(invoice)s.") % {"invoice": document}, code=errors.NOT_PAYABLE
        )
    reusable = (
        Checkout.objects.filter(document=document, provider=name, status=CheckoutStatus.OPEN, amount=due,
                                currency=document.currency, created_at__gt=timezone.now() - REUSE_FOR)
        .order_by("-created_at").first()
    )  # fmt: skip
    if isinstance(reusable, Checkout):
        return reusable
    local_id = uuid.uuid4()
    created = adapter_from(name, configured[name]).create_checkout(  # the call is made outside any transaction
        CheckoutRequest(
            invoice_id=str(document.pk), invoice_number=document.number, amount=due, currency=document.currency,
            description=_("Invoice %(number)s – %(seller)s") % {"number": document.number,
                                                                  "seller": document.entity.name},
            success_url=success_url, cancel_url=cancel_url, reference=str(local_id),
            customer_email=getattr(document.customer, "email", "") or "", language=document.language or "fr",
        )
    )  # fmt: skip
    return _checkout_store(
        document, name, local_id, created.provider_id, created.url, due, created.expires_at
    )


@transaction.atomic
def _checkout_store(
    document: Document,
    provider: str,
    local_id: uuid.UUID,
    provider_id: str,
    url: str,
    due: Decimal,
    expires_at: int | None,
) -> Checkout:
    if Checkout.objects.filter(provider=provider, provider_id=provider_id).exists():
        # the provider answered an idempotent retry with a checkout we already have
        return Checkout.objects.get(provider=provider, provider_id=provider_id)
    checkout = Checkout.objects.create(
        pk=local_id, entity=document.entity, document=document, provider=provider, provider_id=provider_id,
        url=url, amount=due, currency=document.currency,
        expires_at=dt.datetime.fromtimestamp(expires_at, tz=dt.UTC) if expires_at else None,
    )  # fmt: skip
    audit_record(entity=document.entity, actor=None, action="payment.checkout_created", obj=checkout,
                 after={"invoice": str(document.pk), "provider": provider, "provider_id": provider_id,
                        "amount": due, "currency": document.currency})  # fmt: skip
    waiting = list(
        ProviderEvent.objects.filter(
            provider=provider, checkout_ref=provider_id, processed_at__isnull=True
        ).values_list("pk", flat=True)
    )  # events that arrived before this row existed (the provider was faster than our commit)
    if waiting:
        from facturier.payments.checkout_tasks import process_provider_event

        transaction.on_commit(lambda: [process_provider_event.enqueue(str(pk)) for pk in waiting])
    return checkout

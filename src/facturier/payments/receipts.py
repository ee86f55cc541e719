"""Receipts: when an invoice becomes paid, the customer receives a receipt by email.

The allocation that makes an invoice paid calls `receipt_schedule` inside its transaction: it starts
the job run `receipt:<invoice id>` (`facturier.jobs.runs.job_start`), whose unique key makes it exist
once per invoice, and whose execution is enqueued only when the transaction commits. Two allocations
racing on the same invoice queue on its row lock, so only one sees the move to paid; even so, a second
start finds the first run by its key. The job sends the email in the invoice's language through
`EMAIL_URL`, then audits `invoice.receipt_sent`. Companies turn receipts off with
`LegalEntity.send_payment_receipts`.
"""

from __future__ import annotations

from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from django.conf import global_settings, settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from config.settings.email import connection_options
from facturier.audit.services import audit_record
from facturier.invoicing.models import Document
from facturier.jobs.runs import job_start

RECEIPT_TASK = "facturier.payments.receipts.receipt_send"


def receipt_schedule(document: Document) -> bool:
    """Start the receipt job of a just-paid invoice (in the caller's transaction); False when not wanted."""
    if not document.entity.send_payment_receipts or not document.customer.email:
        return False
    _run, created = job_start(
        key=f"receipt:{document.pk}", task=RECEIPT_TASK, args={"document_id": str(document.pk)},
        entity=document.entity,
    )  # fmt: skip
    return created


def _sender(entity: Any) -> str:
    """``DEFAULT_FROM_EMAIL`` when the installation set one, else the company's own address (as invoices)."""
    configured = str(settings.DEFAULT_FROM_EMAIL or "")
    if configured and configured != global_settings.DEFAULT_FROM_EMAIL:
        return configured
    return str(entity.email or "")


def _message(document: Document, paid_on: Any) -> tuple[str, str]:
    entity = document.entity
    language = document.language or "fr"
    locale = {"fr": "fr_FR", "en": "en_GB"}.get(language, language)
    with translation.override(language):
        subject = _("Receipt for invoice %(number)s – %(seller)s") % {
            "number": document.number, "seller": entity.name,
        }  # fmt: skip
        body = _(
            "Hello,\n\nWe have received your payment of invoice %(number)s of %(amount)s: it is now paid in full "
            "(last payment on %(date)s).\n\nThank you,\n%(seller)s"
        ) % {
            "number": document.number,
            "amount": format_currency(document.payable, document.currency, locale=locale),
            "date": format_date(paid_on, format="long", locale=locale),
            "seller": entity.name,
        }  # fmt: skip
    return subject, body


def receipt_send(*, document_id: str) -> str:
    """The job: email the receipt if the invoice is still paid; ``sent`` or why not."""
    from facturier.payments.selectors import Settlement, settlement_of

    document = Document.objects.select_related("entity", "customer").get(pk=document_id)
    if settlement_of(document).settlement != Settlement.PAID:
        return "not_paid"
    recipient = document.customer.email
    if not recipient or not settings.EMAIL_URL:
        return "no_recipient" if not recipient else "email_not_configured"
    last = document.allocations.select_related("payment").order_by("-payment__received_on").first()
    paid_on = last.payment.received_on if last is not None else document.issue_date
    subject, body = _message(document, paid_on)
    backend, options = connection_options(settings.EMAIL_URL)
    sender = _sender(document.entity)
    message = EmailMessage(
        subject=subject, body=body, from_email=sender, to=[recipient],
        reply_to=[document.entity.email] if document.entity.email else None,
        connection=get_connection(backend, fail_silently=False, **options),
    )  # fmt: skip
    message.send()
    with transaction.atomic():
        audit_record(
            entity=document.entity, actor=None, action="invoice.receipt_sent", obj=document,
            after={"recipient": recipient, "language": document.language or "fr"},
        )  # fmt: skip
    return "sent"

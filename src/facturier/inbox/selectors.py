"""Reads of the inbox, always scoped to one entity."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.common.errors import NotFound
from facturier.inbox.models import ReceivedInvoice


def received_invoices(*, entity: LegalEntity, status: str | None = None) -> QuerySet[ReceivedInvoice]:
    rows = ReceivedInvoice.objects.filter(entity=entity).select_related("supplier")
    return rows.filter(status=status) if status else rows


def received_invoice_get(*, entity: LegalEntity, pk: Any) -> ReceivedInvoice:
    """One row of this entity; another entity's id is simply not found."""
    try:
        return received_invoices(entity=entity).get(pk=pk)
    except (ReceivedInvoice.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such received invoice.")) from exc

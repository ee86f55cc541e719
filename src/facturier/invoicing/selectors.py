"""Reads on documents that more than one screen needs."""

from typing import Any

from django.db.models import QuerySet

from facturier.accounts.authorization import user_and_key
from facturier.accounts.models import LegalEntity
from facturier.invoicing.models import Document, Kind, Status


def awaiting_approval_by(actor: Any | None, entity: LegalEntity) -> QuerySet[Document]:
    """Invoices and credit notes of `entity` pending approval that `actor` may decide on: not the ones
    they created or submitted (nobody approves their own), oldest submission first.

    The actor's role is the caller's business (the menu shows this only to roles that approve).
    """
    documents = Document.objects.filter(entity=entity, kind=Kind.INVOICE, status=Status.PENDING_APPROVAL)
    user, key = user_and_key(actor)
    if user is not None:
        documents = documents.exclude(created_by=user).exclude(submitted_by=user)
    if key is not None:
        documents = documents.exclude(created_by_key=key).exclude(submitted_by_key=key)
    return documents.select_related("customer", "submitted_by", "submitted_by_key").order_by(
        "submitted_at", "created_at"
    )

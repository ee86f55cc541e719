"""Reads of transmissions and lifecycle statuses, always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from facturier.invoicing.models import Document
from facturier.transmission.models import LifecycleStatus, Transmission, TransmissionStatus


def transmissions_of(document: Document) -> QuerySet[Transmission]:
    return Transmission.objects.filter(document=document, entity=document.entity)


def lifecycle_of(document: Document) -> QuerySet[LifecycleStatus]:
    return LifecycleStatus.objects.filter(document=document, entity=document.entity).order_by(
        "occurred_at", "created_at"
    )


def pending_transmissions(*, entity: Any | None = None) -> QuerySet[Transmission]:
    """Rows the database says must still be sent (the sweeper re-enqueues them)."""
    rows = Transmission.objects.filter(status__in=[TransmissionStatus.PENDING, TransmissionStatus.SENDING])
    return rows.filter(entity=entity) if entity is not None else rows

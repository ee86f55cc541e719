"""Reads of transmissions and lifecycle statuses, always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from facturier.invoicing.models import Document, Status
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


def latest_transmission(document: Document) -> Transmission | None:
    """The sending of ``document`` that moved last (its state is what the invoice page tells)."""
    latest: Transmission | None = transmissions_of(document).order_by("-updated_at").first()
    return latest


def any_failed_sending(*, entity: Any) -> bool:
    """Whether some sending of the entity ever failed: when not (the usual answer), `failed_sendings` is
    empty, and this query costs a fraction of its CPU to build (the dashboard asks on every visit)."""
    return bool(Transmission.objects.filter(entity=entity, status=TransmissionStatus.FAILED).exists())


def failed_sendings(*, entity: Any) -> QuerySet[Transmission]:
    """The entity's invoices whose last sending failed, latest failure first.

    A failure followed by a success on another channel is over; an invoice cancelled by a credit
    note is not to be sent any more.
    """
    later_success = Transmission.objects.filter(
        document=OuterRef("document"), status=TransmissionStatus.SENT, updated_at__gt=OuterRef("updated_at")
    )
    return (
        Transmission.objects.filter(entity=entity, status=TransmissionStatus.FAILED)
        .exclude(document__status=Status.CANCELLED)
        .exclude(Exists(later_success))
        .select_related("document", "document__customer")
        .order_by("-updated_at")
    )


def polled_entities() -> QuerySet[Any]:
    """Ids of the companies with sent invoices to follow on Chorus Pro or the platform (one poll chunk each)."""
    from facturier.transmission.polling import FINISHED, POLLED_CHANNELS

    return (
        Transmission.objects.filter(status=TransmissionStatus.SENT, channel__in=POLLED_CHANNELS)
        .exclude(document__status__in=FINISHED)
        .values("entity_id")
        .distinct()
    )

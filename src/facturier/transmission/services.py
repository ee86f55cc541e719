"""Sending invoices and recording their lifecycle statuses. Every write is atomic and audited.

Sending is split in two so the network call never runs inside a database transaction:
``transmission_request`` records the intent (one row per document and channel) and schedules the
task on commit; ``transmission_deliver`` (run by the worker) claims the row, sends, and records the
outcome. A row already sent, or being sent, is never sent again; a failed one is sent again only
when asked.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import SYSTEM, Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.lifecycle import NEEDS_ACTION, NEEDS_REASON, STATUSES
from facturier.invoicing.lifecycle import TRANSITIONS
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.services.common import locked, state_of
from facturier.transmission.base import ChannelError, StatusReport
from facturier.transmission.channels import check_configured, get_channel
from facturier.transmission.failures import Failure
from facturier.transmission.models import LifecycleSource, LifecycleStatus, Transmission, TransmissionStatus
from facturier.transmission.payload import build_delivery, build_payload
from facturier.transmission.routing import route_for

logger = logging.getLogger(__name__)
TS = TransmissionStatus
STALE_SENDING = dt.timedelta(minutes=15)
"""A row left 'sending' this long ago belongs to a worker that died: it may be claimed again."""


def _enqueue(transmission_id: str) -> None:
    from facturier.transmission.tasks import deliver_transmission

    deliver_transmission.enqueue(transmission_id)


@transaction.atomic
def transmission_request(*, document: Document, by: Actor, channel: str | None = None) -> Transmission:
    """Ask for ``document`` to be sent (through its customer's channel unless one is given)."""
    document = locked(document)
    authorize(by, Action.ISSUE, document.entity)
    if document.kind != Kind.INVOICE or not document.is_sealed:
        raise Conflict(_("%(document)s is not issued: only issued invoices and credit notes are sent.") % {"document": document},
                       code="not_issued", current_status=document.status)  # fmt: skip
    if document.status == Status.CANCELLED:
        raise Conflict(_("%(document)s was cancelled by a credit note: it is not sent any more.") % {"document": document},
                       code="not_sendable", current_status=document.status)  # fmt: skip
    route = route_for(document.customer, channel=channel)  # the customer has an address on it...
    check_configured(route.channel, entity=document.entity)  # ...and we can send on it: else refuse now
    transmission: Transmission
    transmission, created = Transmission.objects.select_for_update().get_or_create(
        document=document, channel=route.channel,
        defaults={"entity": document.entity, "recipient": route.recipient},
    )  # fmt: skip
    if not created and transmission.status != TS.FAILED:
        return transmission  # already queued, being sent or sent: nothing more to do
    before = {"status": transmission.status} if not created else None
    transmission.status, transmission.recipient = TS.PENDING, route.recipient
    transmission.save(update_fields=["status", "recipient", "updated_at"])
    audit_record(entity=document.entity, actor=by, action="invoice.transmission_requested", obj=document,
                 before=before, after={"channel": route.channel, "recipient": route.recipient})  # fmt: skip
    pk = str(transmission.pk)
    transaction.on_commit(lambda: _enqueue(pk))
    return transmission


def _claim(transmission_id: str) -> Transmission | None:
    with transaction.atomic():
        transmission: Transmission | None = (
            Transmission.objects.select_for_update().filter(pk=transmission_id).first()
        )
        if transmission is None:
            return None
        stale = transmission.status == TS.SENDING and (
            transmission.last_attempt_at is None
            or timezone.now() - transmission.last_attempt_at > STALE_SENDING
        )
        if transmission.status != TS.PENDING and not stale:
            return None
        transmission.status, transmission.attempts = TS.SENDING, transmission.attempts + 1
        transmission.last_attempt_at = timezone.now()
        transmission.save(update_fields=["status", "attempts", "last_attempt_at", "updated_at"])
        return transmission


def transmission_deliver(*, transmission_id: str) -> Transmission | None:
    """Send a requested transmission; safe to run twice (the second run finds nothing to do)."""
    transmission = _claim(transmission_id)
    if transmission is None:
        return None
    document = transmission.document
    try:
        channel = get_channel(transmission.channel, document.entity.siren, entity=document.entity)
        route = route_for(document.customer, channel=transmission.channel)
        receipt = channel.send(build_delivery(document, route, build_payload(document)))
    except ChannelError as exc:
        return _failed(transmission, exc.code, exc.message)
    except ValidationFailed as exc:  # the customer lost its address, or the e-invoice is invalid
        code = Failure.MISSING_ADDRESS if exc.code.startswith("missing_") else Failure.INVALID_INVOICE
        return _failed(transmission, code, exc.message)
    except Exception as exc:  # rendering or validation blew up: record it, never leave the row 'sending'
        logger.exception("transmission %s failed", transmission.pk)
        return _failed(transmission, Failure.INTERNAL_ERROR, f"{exc.__class__.__name__}: {exc}")
    with transaction.atomic():
        transmission.status, transmission.external_id = TS.SENT, receipt.external_id
        transmission.sent_at, transmission.last_error, transmission.last_error_code = timezone.now(), "", ""
        transmission.save(
            update_fields=["status", "external_id", "sent_at", "last_error", "last_error_code", "updated_at"]
        )
        audit_record(entity=document.entity, actor=None, action="invoice.transmitted", obj=document,
                     after={"channel": transmission.channel, "external_id": receipt.external_id})  # fmt: skip
        _mark_sent(document)
        for report in receipt.statuses:
            record_report(transmission=transmission, report=report)
    return transmission


def _failed(transmission: Transmission, code: str, message: str) -> Transmission:
    """Record the failure: its code (shown translated) and the channel's own words (for support)."""
    with transaction.atomic():
        transmission.status, transmission.last_error = TS.FAILED, message[:2000]
        transmission.last_error_code = str(code)
        transmission.save(update_fields=["status", "last_error", "last_error_code", "updated_at"])
        audit_record(entity=transmission.entity, actor=None, action="invoice.transmission_failed",
                     obj=transmission.document, after={"channel": transmission.channel, "error_code": str(code),
                                                       "error": message[:500]})  # fmt: skip
    return transmission


def _mark_sent(document: Document) -> None:
    document = locked(document)
    if document.status == Status.ISSUED:
        _move(document, Status.SENT, "invoice.sent", sent_at=timezone.now())


def _move(document: Document, target: str, action: str, **changes: Any) -> None:
    """Change an issued invoice's status (allowed by the immutability triggers), audited."""
    if target not in TRANSITIONS[document.kind].get(document.status, frozenset()):
        return
    before = state_of(document)
    document.status = target
    for name, value in changes.items():
        setattr(document, name, value)
    document.save(update_fields=["status", *changes, "updated_at"])
    audit_record(entity=document.entity, actor=None, action=action, obj=document, before=before,
                 after=state_of(document))  # fmt: skip


@transaction.atomic
def lifecycle_record(
    *,
    document: Document,
    code: int,
    source: str,
    by: Actor,
    occurred_at: dt.datetime | None = None,
    reason_code: str = "",
    reason_text: str = "",
    transmission: Transmission | None = None,
    external_ref: str = "",
) -> LifecycleStatus | None:
    """Record one lifecycle status; None when it was already known (polls and messages repeat)."""
    if code not in STATUSES:
        raise ValidationFailed(
            _("Unknown lifecycle status %(code)s.") % {"code": code}, field="code", code="unknown_status"
        )
    if code in NEEDS_REASON and not (reason_code or reason_text):
        if source == LifecycleSource.MANUAL:
            raise ValidationFailed(
                _("Status %(code)s needs a reason.") % {"code": code},
                field="reason_code",
                code="reason_required",
            )
        reason_code = "AUTRE"
    document = locked(document)
    authorize(by, Action.ISSUE, document.entity)
    occurred_at = (occurred_at or timezone.now()).replace(microsecond=0)
    known = LifecycleStatus.objects.filter(document=document)
    if known.filter(code=code, reason_code=reason_code, occurred_at=occurred_at).exists():
        return None
    # A poll telling the same thing again: compared with what the channel said last, so a status
    # recorded by other means in between does not make the unchanged channel status count twice.
    latest = known.filter(source=source).order_by("-occurred_at", "-created_at").first()
    if (
        source == LifecycleSource.CHANNEL
        and latest
        and (latest.code, latest.reason_code) == (code, reason_code)
    ):
        return None
    status = LifecycleStatus.objects.create(
        entity=document.entity, document=document, transmission=transmission, code=code,
        reason_code=reason_code[:30], reason_text=reason_text, occurred_at=occurred_at, source=source,
        external_ref=external_ref[:200],
    )  # fmt: skip
    audit_record(entity=document.entity, actor=by, action="invoice.lifecycle", obj=document, after={
        "code": code, "label": STATUSES[code].label_fr, "reason_code": reason_code, "reason_text": reason_text,
        "source": source, "occurred_at": occurred_at.isoformat(), "reference": external_ref,
    })  # fmt: skip
    if code in NEEDS_ACTION:
        _move(document, Status.REFUSED, "invoice.refused")
    elif code == 207:
        _move(document, Status.DISPUTED, "invoice.disputed")
    return status


def record_report(*, transmission: Transmission, report: StatusReport) -> LifecycleStatus | None:
    return lifecycle_record(
        document=transmission.document, code=report.code, source=LifecycleSource.CHANNEL, by=SYSTEM,
        occurred_at=report.occurred_at, reason_code=report.reason_code, reason_text=report.reason_text,
        transmission=transmission, external_ref=report.external_status,
    )  # fmt: skip

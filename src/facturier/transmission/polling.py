"""Following sent invoices: poll the channels, read the platforms' lifecycle messages (CDAR).

Safe to run as often as wanted: statuses already recorded are recognised and skipped, and one
channel failing never stops the others (its error is kept on the transmission).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import SYSTEM, Actor
from facturier.accounts.models import LegalEntity
from facturier.common.errors import ValidationFailed
from facturier.domain.lifecycle import LifecycleMessageError, StatusEvent, parse_cdar
from facturier.domain.lifecycle.statuses import LifecycleCode
from facturier.domain.validation import ArtefactMissing, ArtefactStore, validate_cdar
from facturier.invoicing.models import Document, Kind, Status
from facturier.transmission.base import ChannelError
from facturier.transmission.channels import accounts, get_channel
from facturier.transmission.models import (
    ChannelName,
    LifecycleSource,
    LifecycleStatus,
    Transmission,
    TransmissionStatus,
)
from facturier.transmission.pdp.channel import PdpChannel, acknowledgement_statuses
from facturier.transmission.services import lifecycle_record, record_report

logger = logging.getLogger(__name__)
FINISHED = frozenset({Status.CANCELLED, Status.REFUSED})
"""Invoices whose story is over: no need to ask about them any more (nor once 212 Encaissée is known)."""
POLLED_CHANNELS = (ChannelName.CHORUS_PRO, ChannelName.PDP)


@dataclass
class PollSummary:
    polled: int = 0
    recorded: int = 0
    unmatched: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _store() -> ArtefactStore:
    conformance = getattr(settings, "CONFORMANCE_DIR", None)
    if conformance:
        return ArtefactStore(conformance)
    return ArtefactStore.for_data_dir(settings.DATA_DIR)


def check_cdar(data: bytes) -> list[dict[str, Any]]:
    """Error findings of the official CDAR XSD + BR-FR-CDV rules; [] when the artefacts are not installed."""
    try:
        report = validate_cdar(data, _store())
    except ArtefactMissing:
        logger.warning("CDAR artefacts not installed: lifecycle message read without validation")
        return []
    return [{"rule": f.rule_id, "severity": f.severity, "location": f.location, "message": f.message}
            for f in report.errors]  # fmt: skip


def _documents_for(event: StatusEvent, entity: LegalEntity | None) -> list[Document]:
    documents = Document.objects.filter(kind=Kind.INVOICE, number=event.invoice_number, seal_hash__gt="")
    if entity is not None:
        documents = documents.filter(entity=entity)
    if event.seller_id:
        documents = documents.filter(entity__siren=event.seller_id[:9])
    return list(documents.select_related("entity")[:2])


def record_events(
    events: tuple[StatusEvent, ...],
    *,
    entity: LegalEntity | None,
    by: Actor,
    reference: str,
    summary: PollSummary,
) -> None:
    for event in events:
        matches = _documents_for(event, entity)
        if len(matches) != 1:
            summary.unmatched.append(event.invoice_number)
            continue
        recorded = lifecycle_record(
            document=matches[0], code=event.code, source=LifecycleSource.CDAR, by=by, occurred_at=event.occurred_at,
            reason_code=event.reason_code, reason_text=event.reason_text, external_ref=reference,
        )  # fmt: skip
        summary.recorded += recorded is not None


def lifecycle_from_cdar(
    *,
    data: bytes,
    by: Actor,
    entity: LegalEntity | None = None,
    validate: bool = True,
    reference: str = "",
) -> PollSummary:
    """Record the statuses of a CDAR message received by any means (upload, platform, email)."""
    try:
        message = parse_cdar(data)
    except LifecycleMessageError as exc:
        raise ValidationFailed(
            _("Unreadable lifecycle message: %(exc)s") % {"exc": exc}, field="file", code="invalid_cdar"
        ) from exc
    if validate:
        errors = check_cdar(data)
        if errors:
            raise ValidationFailed(_("The lifecycle message breaks the CDAR rules."), field="file",
                                   code="invalid_cdar", findings=errors)  # fmt: skip
    summary = PollSummary()
    record_events(
        message.events, entity=entity, by=by, reference=reference or message.message_id, summary=summary
    )
    return summary


def poll_transmissions(*, entity: LegalEntity | None = None) -> PollSummary:
    """Ask Chorus Pro and the platform where each sent, unfinished invoice is now."""
    summary = PollSummary()
    sent = (
        Transmission.objects.filter(status=TransmissionStatus.SENT, channel__in=POLLED_CHANNELS)
        .exclude(document__status__in=FINISHED)
        .exclude(document__lifecycle_statuses__code=LifecycleCode.ENCAISSEE)
    )
    if entity is not None:
        sent = sent.filter(entity=entity)
    channels: dict[tuple[str, str], Any] = {}
    for transmission in sent.select_related("document", "entity"):
        try:
            which = (transmission.channel, transmission.entity.siren)
            channel = channels.get(which) or get_channel(*which)
            channels[which] = channel
            reports = channel.poll_status(transmission.external_id)
        except ChannelError as exc:
            summary.errors.append(f"{transmission.document}: {exc.message}")
            Transmission.objects.filter(pk=transmission.pk).update(last_error=exc.message[:2000])
            continue
        summary.polled += 1
        for report in reports:
            summary.recorded += record_report(transmission=transmission, report=report) is not None
        Transmission.objects.filter(pk=transmission.pk).update(last_polled_at=timezone.now(), last_error="")
    return summary


def receive_lifecycle_flows(
    *, since: dt.datetime | None = None, summary: PollSummary | None = None
) -> PollSummary:
    """Read the lifecycle flows the platform received about our invoices (XP Z12-013 search)."""
    summary = summary or PollSummary()
    if since is None:
        last = Transmission.objects.filter(channel=ChannelName.PDP).aggregate(at=Max("last_polled_at"))["at"]
        since = last - dt.timedelta(hours=1) if last else None
    received = []
    entity_accounts = sorted(accounts(ChannelName.PDP))
    for siren in ["", *entity_accounts]:
        try:
            received += get_channel(ChannelName.PDP, siren).receive(since)
        except ChannelError as exc:
            if not (siren == "" and entity_accounts and "not configured" in exc.message):
                summary.errors.append(exc.message)
    for message in received:
        if message.error:
            summary.errors.append(f"flow {message.reference}: {message.error}")
            continue
        record_events(message.events, entity=None, by=SYSTEM, reference=message.reference, summary=summary)
    return summary


def receive_lifecycle_flow(*, flow_id: str, siren: str = "") -> PollSummary:
    """Read one lifecycle flow the platform announced (webhook): download, read, record."""
    summary = PollSummary()
    channel = get_channel(ChannelName.PDP, siren)
    if not isinstance(channel, PdpChannel):  # pragma: no cover - the registry always builds one
        raise ChannelError("the platform channel is not available")
    received = channel.read_lifecycle(flow_id)
    if received.error:
        summary.errors.append(f"flow {flow_id}: {received.error}")
    record_events(received.events, entity=None, by=SYSTEM, reference=flow_id, summary=summary)
    return summary


def acknowledge_flow(*, flow: dict[str, Any]) -> PollSummary:
    """Record what the platform says about a flow we submitted (webhook body = Flow metadata)."""
    summary = PollSummary()
    flow_id = str(flow.get("flowId") or "")
    transmission = (
        Transmission.objects.filter(channel=ChannelName.PDP, external_id=flow_id).first() if flow_id else None
    )
    if transmission is None:
        summary.unmatched.append(flow_id)
        return summary
    for report in acknowledgement_statuses(flow):
        summary.recorded += record_report(transmission=transmission, report=report) is not None
    return summary


def poll_all(*, entity: LegalEntity | None = None) -> PollSummary:
    """Poll every channel; read the platform's lifecycle flows when some invoice went through it."""
    summary = poll_transmissions(entity=entity)
    if Transmission.objects.filter(channel=ChannelName.PDP, status=TransmissionStatus.SENT).exists():
        receive_lifecycle_flows(summary=summary)
    return summary


def latest_statuses(document: Document) -> list[LifecycleStatus]:
    return list(LifecycleStatus.objects.filter(document=document).order_by("occurred_at", "created_at"))

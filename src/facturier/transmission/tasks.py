"""Background tasks (Django Tasks API). Each is idempotent: running it twice does no harm."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from facturier.accounts.models import LegalEntity
from facturier.transmission.models import ChannelName, Transmission, TransmissionStatus
from facturier.transmission.selectors import polled_entities
from facturier.transmission.services import transmission_deliver

FLOWS_CHUNK = "platform-flows"


@task()
def deliver_transmission(transmission_id: str) -> str:
    """Send one requested transmission (enqueued on commit by ``transmission_request``)."""
    transmission = transmission_deliver(transmission_id=transmission_id)
    return transmission.status if transmission is not None else "skipped"


@task()
def poll_lifecycle_statuses(job_run: Any = None) -> dict[str, int]:
    """Poll every channel. As a scheduled job run: one chunk per company, then the platform's flows,
    so the progress shows and a resumed run does not ask again about the companies already polled."""
    from facturier.jobs.runs import run_chunks
    from facturier.transmission.polling import (
        PollSummary,
        poll_all,
        poll_transmissions,
        receive_lifecycle_flows,
    )

    if job_run is None:
        summary = poll_all()
    else:
        summary = PollSummary()
        entities = {str(e.pk): e for e in LegalEntity.objects.filter(pk__in=polled_entities())}

        def poll(key: str) -> None:
            if key == FLOWS_CHUNK:
                if Transmission.objects.filter(
                    channel=ChannelName.PDP, status=TransmissionStatus.SENT
                ).exists():
                    receive_lifecycle_flows(summary=summary)
                return
            part = poll_transmissions(entity=entities[key])
            summary.polled, summary.recorded = summary.polled + part.polled, summary.recorded + part.recorded
            summary.errors += part.errors

        run_chunks(job_run, [*sorted(entities), FLOWS_CHUNK], poll, atomic=False)
    return {"polled": summary.polled, "recorded": summary.recorded, "errors": len(summary.errors)}


@task()
def read_platform_flow(flow_id: str, siren: str = "") -> int:
    """Fetch and record a lifecycle flow the platform announced by webhook (with that entity's account)."""
    from facturier.transmission.polling import receive_lifecycle_flow

    return receive_lifecycle_flow(flow_id=flow_id, siren=siren).recorded


@task()
def send_pending_transmissions() -> dict[str, int]:
    """The sweep of sendings the database says are due (lost from the queue, or left by a dead worker)."""
    from facturier.transmission.selectors import pending_transmissions

    sent = failed = 0
    for row in pending_transmissions().only("pk"):
        delivered = transmission_deliver(transmission_id=str(row.pk))
        if delivered is not None:
            sent += delivered.status == "sent"
            failed += delivered.status == "failed"
    return {"sent": sent, "failed": failed}

"""Background tasks (Django Tasks API). Each is idempotent: running it twice does no harm."""

from __future__ import annotations

from django_tasks import task

from facturier.transmission.services import transmission_deliver


@task()
def deliver_transmission(transmission_id: str) -> str:
    """Send one requested transmission (enqueued on commit by ``transmission_request``)."""
    transmission = transmission_deliver(transmission_id=transmission_id)
    return transmission.status if transmission is not None else "skipped"


@task()
def poll_lifecycle_statuses() -> dict[str, int]:
    from facturier.transmission.polling import poll_all

    summary = poll_all()
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

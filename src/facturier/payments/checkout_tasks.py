"""Background tasks of online payment (Django Tasks API); each is idempotent."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from facturier.payments.provider_events import process_pending, provider_event_process


@task()
def process_provider_event(event_pk: str) -> str:
    """Apply one stored provider webhook event (enqueued on commit by ``webhook_receive``)."""
    return provider_event_process(event_pk=event_pk)


@task()
def process_pending_provider_events(job_run: Any = None) -> dict[str, int]:
    """The sweeper of provider events: apply every event still unprocessed."""
    return {"processed": process_pending()}

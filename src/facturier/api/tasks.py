"""The API's housekeeping, as tasks the scheduler fires (see FACTURIER_SCHEDULES)."""

from __future__ import annotations

from django_tasks import task

from facturier.api.services import idempotency_purge


@task()
def purge_idempotency_keys() -> int:
    """Forget the idempotent responses older than the retention (daily schedule)."""
    return idempotency_purge()

"""The audit's housekeeping, as tasks the scheduler fires (see FACTURIER_SCHEDULES)."""

from __future__ import annotations

from django_tasks import task

from facturier.audit.checkpoints import write_checkpoints


@task()
def write_daily_checkpoints() -> int:
    """Checkpoint every entity and the global chain (daily schedule `audit-checkpoint`); files written."""
    return len(write_checkpoints(reason="scheduled"))

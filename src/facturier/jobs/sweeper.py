"""The sweeper: re-queue what the database says is pending, so a lost message delays work, never loses it.

- a job run left ``running`` by a dead worker (no heartbeat for ``FACTURIER_JOB_STALE_SECONDS``)
  goes back to ``queued`` and is enqueued again; its done chunks are skipped on resume;
- a job run still ``queued`` long after it was enqueued (the message was lost) is enqueued again;
- a django-tasks-db task left ``RUNNING`` longer than ``FACTURIER_TASK_STALE_SECONDS`` (its worker
  was killed) is put back to ``READY``: tasks are idempotent, running one twice does no harm.
Domain sweeps (pending transmissions, documents without a PDF...) are schedules of their own apps.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import enqueue_run


@dataclass
class SweepSummary:
    stale_runs: int = 0
    lost_runs: int = 0
    stale_tasks: int = 0


def _seconds(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, name, default)))


def _requeue_tasks(before: dt.datetime) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=before).update(
        status=TaskResultStatus.READY, started_at=None
    )


def sweep(*, now: dt.datetime | None = None) -> SweepSummary:
    now = now or timezone.now()
    summary = SweepSummary()
    stale_before = now - _seconds("FACTURIER_JOB_STALE_SECONDS", 300)
    with transaction.atomic():
        stale = list(
            JobRun.objects.select_for_update(skip_locked=True)
            .filter(status=RunStatus.RUNNING)
            .filter(Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at__isnull=True))
            .values_list("pk", flat=True)
        )
        JobRun.objects.filter(pk__in=stale).update(status=RunStatus.QUEUED, queued_at=now)
        lost = list(
            JobRun.objects.filter(status=RunStatus.QUEUED, queued_at__lt=stale_before).values_list(
                "pk", flat=True
            )
        )
        JobRun.objects.filter(pk__in=lost).update(queued_at=now)
        priorities = dict(JobRun.objects.filter(pk__in=[*stale, *lost]).values_list("pk", "priority"))
        for run_id in [*stale, *lost]:
            enqueue_run(run_id, priorities.get(run_id, 0))
    summary.stale_runs, summary.lost_runs = len(stale), len(lost)
    if "django_tasks_db" in settings.INSTALLED_APPS:
        summary.stale_tasks = _requeue_tasks(now - _seconds("FACTURIER_TASK_STALE_SECONDS", 3600))
    return summary

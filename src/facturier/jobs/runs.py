"""Job runs: started once by natural key, executed by a worker, split in chunks that resume.

``job_start`` creates the run (or finds it: the key makes it idempotent) and enqueues its execution
on commit. ``job_execute`` claims a queued run with a conditional update, so a run queued twice (a
sweeper and a late message) still runs once at a time. ``run_chunks`` does the work: each chunk is
done in its own transaction together with its mark, so after a crash the next attempt skips what
was finished and the progress (``done``/``total``) is what the database holds.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from facturier.jobs.models import JobChunk, JobRun, RunStatus

logger = logging.getLogger(__name__)


def enqueue_run(run_id: int) -> None:
    """Put the run's execution on the queue once the current transaction commits."""
    from facturier.jobs.tasks import execute_job_run

    transaction.on_commit(lambda: execute_job_run.enqueue(run_id))


def job_start(
    *,
    key: str,
    task: str,
    args: dict[str, Any] | None = None,
    entity: Any | None = None,
    schedule: Any | None = None,
    period: dt.datetime | None = None,
) -> tuple[JobRun, bool]:
    """The run with this natural key, created and queued when new; ``(run, created)``."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                key=key, task=task, args=args or {}, entity=entity, schedule=schedule, period=period,
                queued_at=timezone.now(),
            )  # fmt: skip
            enqueue_run(run.pk)
    except IntegrityError:
        return JobRun.objects.get(key=key), False
    return run, True


def _claim(run_id: int) -> JobRun | None:
    now = timezone.now()
    claimed = JobRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1, error=""
    )
    return JobRun.objects.get(pk=run_id) if claimed else None


def _call(target: Callable[..., Any], run: JobRun) -> Any:
    func = getattr(target, "func", target)  # a django_tasks Task runs its function in this worker
    kwargs = dict(run.args)
    if "job_run" in inspect.signature(func).parameters:
        kwargs["job_run"] = run
    return func(**kwargs)


def _json_result(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool | list | dict):
        return value
    return str(value)


def job_execute(*, run_id: int) -> str:
    """Run a queued job (the worker's entry point); returns the final status, or ``skipped``."""
    run = _claim(run_id)
    if run is None:
        return "skipped"
    try:
        result = _call(import_string(run.task), run)
    except Exception as exc:
        logger.exception("job %s failed", run.key)
        JobRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            error="".join(traceback.format_exception_only(exc)).strip()[:4000],
        )  # fmt: skip
        return RunStatus.FAILED
    JobRun.objects.filter(pk=run.pk).update(
        status=RunStatus.DONE, finished_at=timezone.now(), result=_json_result(result)
    )
    return RunStatus.DONE


def heartbeat(run: JobRun) -> None:
    """Tell the sweeper the run's worker is alive (called after each chunk)."""
    JobRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now())


def run_chunks(
    run: JobRun, chunks: Iterable[str], handle: Callable[[str], Any], *, atomic: bool = True
) -> JobRun:
    """Do every chunk not yet done; safe to call again.

    ``atomic``: the chunk's database work and its mark commit together (exactly once). Chunks that talk
    to the network pass ``atomic=False``: no transaction stays open (nor SQLite's write lock held) during
    the I/O, the mark follows the work, and a crash in between repeats that chunk (at least once; such
    chunks are idempotent, like polling).
    """
    keys = list(dict.fromkeys(chunks))
    JobChunk.objects.bulk_create([JobChunk(run=run, key=key) for key in keys], ignore_conflicts=True)
    JobRun.objects.filter(pk=run.pk).update(total=len(keys))
    pending = set(JobChunk.objects.filter(run=run, done_at__isnull=True).values_list("key", flat=True))
    for key in keys:
        if key not in pending:
            continue
        if not atomic:
            handle(key)
            marked = JobChunk.objects.filter(run=run, key=key, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            JobRun.objects.filter(pk=run.pk).update(done=F("done") + marked, heartbeat_at=timezone.now())
            continue
        with transaction.atomic():
            marked = JobChunk.objects.filter(run=run, key=key, done_at__isnull=True).update(
                done_at=timezone.now()
            )
            if not marked:  # another attempt finished it meanwhile
                continue
            handle(key)
            JobRun.objects.filter(pk=run.pk).update(done=F("done") + 1, heartbeat_at=timezone.now())
    run.refresh_from_db()
    return run

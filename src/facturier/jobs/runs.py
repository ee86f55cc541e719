"""Job runs: started once by natural key, executed by a worker, split in chunks that resume.

``job_start`` creates the run (or finds it: the key makes it idempotent) and enqueues its execution
on commit. ``job_execute`` claims a queued run with a conditional update, so a run queued twice (a
sweeper and a late message) still runs once at a time. ``run_chunks`` does the work: each chunk is
done in its own transaction together with its mark, so after a crash the next attempt skips what
was finished and the progress (``done``/``total``) is what the database holds.

A run whose chunks many workers may share plans them once (``plan_chunks``) and each worker calls
``work_chunks``: a chunk is claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL) and done
in the transaction that holds its lock, so two workers never do the same chunk, and a killed worker's
chunk (its transaction rolled back, its lock released) is taken by the next one.

Priorities: the worker claims the ready task of highest priority first (django-tasks-db). A long run
(a billing run) is queued below the rest and hands its worker back between chunks when a task of
higher priority waits (``TimeSlice``, ``Yielded``): it goes back to the queue behind that task and
resumes from its chunks, so the PDFs and emails of its first invoices do not wait for its end.
"""

from __future__ import annotations

import datetime as dt
import inspect
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from facturier.jobs.models import JobChunk, JobRun, RunStatus

logger = logging.getLogger(__name__)


class Yielded(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a run's task between two chunks to give its worker to tasks of higher priority: the run
    goes back to the queue (its done chunks stay done) and resumes when its turn comes again."""


def enqueue_run(run_id: int, priority: int = 0) -> None:
    """Put the run's execution on the queue (at ``priority``) once the current transaction commits."""
    from facturier.jobs.tasks import execute_job_run

    transaction.on_commit(lambda: execute_job_run.using(priority=priority).enqueue(run_id))


def _queued_in_database() -> bool:
    return str(settings.TASKS.get("default", {}).get("BACKEND", "")).startswith("django_tasks_db.")


def higher_priority_waiting(priority: int) -> bool:
    """Whether a ready task of the queue has a priority above ``priority`` (the database queue only:
    the immediate backend of the tests runs every task at once)."""
    if not _queued_in_database():
        return False
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(status=TaskResultStatus.READY, priority__gt=priority).exists()


class TimeSlice:
    """Called between chunks: true once ``seconds`` have passed since the task started (or last looked)
    and a task of higher priority is waiting. One query per slice at most."""

    def __init__(self, priority: int, seconds: float | None = None) -> None:
        self.priority = priority
        self.seconds = float(
            getattr(settings, "FACTURIER_JOB_SLICE_SECONDS", 5) if seconds is None else seconds
        )
        self.since = time.monotonic()

    def __call__(self) -> bool:
        if time.monotonic() - self.since < self.seconds:
            return False
        self.since = time.monotonic()
        return higher_priority_waiting(self.priority)


def job_start(
    *,
    key: str,
    task: str,
    args: dict[str, Any] | None = None,
    entity: Any | None = None,
    schedule: Any | None = None,
    period: dt.datetime | None = None,
    priority: int = 0,
) -> tuple[JobRun, bool]:
    """The run with this natural key, created and queued (at ``priority``) when new; ``(run, created)``."""
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                key=key, task=task, args=args or {}, entity=entity, schedule=schedule, period=period,
                queued_at=timezone.now(), priority=priority,
            )  # fmt: skip
            enqueue_run(run.pk, priority)
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
    except Yielded:  # back to the queue behind the tasks of higher priority; not a failed attempt
        with transaction.atomic():
            JobRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                status=RunStatus.QUEUED, queued_at=timezone.now(), attempts=F("attempts") - 1
            )
            enqueue_run(run.pk, run.priority)
        return RunStatus.QUEUED
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


def plan_chunks(run: JobRun, keys: Iterable[str], *, total: int | None = None) -> bool:
    """Store the run's chunks once: a resumed run keeps its first plan (what it splits may have changed
    since). ``total``: the units of progress (default: one per chunk). True when planned now."""
    if JobChunk.objects.filter(run=run).exists():
        return False
    keys = list(dict.fromkeys(keys))
    JobChunk.objects.bulk_create([JobChunk(run=run, key=key) for key in keys], ignore_conflicts=True)
    JobRun.objects.filter(pk=run.pk).update(total=len(keys) if total is None else total)
    return True


_CLAIM_SQL = """
UPDATE jobs_jobchunk SET done_at = %s WHERE id IN (
    SELECT id FROM jobs_jobchunk WHERE run_id = %s AND done_at IS NULL {after}
    ORDER BY key LIMIT %s FOR UPDATE SKIP LOCKED
) RETURNING id, key"""


def _claim_chunks(run_id: int, after: str | None, limit: int = 1) -> list[JobChunk]:
    """Up to ``limit`` free chunks after ``after`` (key order), locked and marked done in the caller's
    transaction; in key order."""
    limit = max(1, limit)
    if connection.vendor == "postgresql":  # one statement: lock the next free chunks and mark them
        now = timezone.now()
        params: list[Any] = [now, run_id, *([after] if after is not None else []), limit]
        with connection.cursor() as cursor:
            cursor.execute(_CLAIM_SQL.format(after="AND key > %s" if after is not None else ""), params)
            rows = cursor.fetchall()
        return sorted((JobChunk(pk=pk, run_id=run_id, key=key, done_at=now) for pk, key in rows),
                      key=lambda chunk: chunk.key)  # fmt: skip
    pending = JobChunk.objects.select_for_update(skip_locked=True).filter(run_id=run_id, done_at__isnull=True)
    if after is not None:
        pending = pending.filter(key__gt=after)
    claimed: list[JobChunk] = []
    while len(claimed) < limit:
        candidates = list(
            pending.order_by("key")[: limit - len(claimed)]
        )  # marked ones are no longer pending
        if not candidates:
            break
        for chunk in candidates:  # (without row locks, SQLite: another process may have marked it first)
            if JobChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(done_at=timezone.now()):
                claimed.append(chunk)
    return sorted(claimed, key=lambda chunk: chunk.key)


def work_chunks(
    run_id: int,
    handle: Callable[[str], int | None],
    *,
    wait: bool = False,
    every: float = 0.2,
    should_yield: Callable[[], bool] | None = None,
    batch: int = 1,
    handle_many: Callable[[list[str]], int | None] | None = None,
) -> int:
    """Claim and do the run's pending chunks, one transaction each (the chunk's effects and its mark
    commit together), until none is left; ``handle`` returns the units of progress done (default 1).

    ``batch`` with ``handle_many``: up to ``batch`` chunks are claimed at once and done together, in one
    transaction, by ``handle_many(keys)`` (it returns their units of progress, default one per chunk): the
    effects of all of them and their marks commit together, and a worker killed mid-batch leaves the whole
    batch to the next one. Without ``handle_many``, each chunk of a batch is ``handle(key)``.

    Several workers may call this on one run at once (PostgreSQL: SKIP LOCKED, in key order from where
    this worker stands, so a claim never re-reads the chunks done before). ``wait``: when only chunks held
    by others remain, wait for them (heartbeating), so that on return every chunk is done; a chunk
    released by a worker that died is done here. Returns the chunks done by this call.
    ``should_yield`` (a ``TimeSlice``): asked after each transaction committed; true raises ``Yielded``."""
    count, after = 0, None
    while True:
        with transaction.atomic():
            chunks = _claim_chunks(run_id, after, batch)
            if chunks:
                keys = [chunk.key for chunk in chunks]
                if handle_many is not None:
                    units = handle_many(keys)
                    done = len(keys) if units is None else units
                else:
                    done = sum(1 if (units := handle(key)) is None else units for key in keys)
                JobRun.objects.filter(pk=run_id).update(done=F("done") + done, heartbeat_at=timezone.now())
        if chunks:
            count, after = count + len(chunks), chunks[-1].key
            if should_yield is not None and should_yield():
                raise Yielded(count)
            continue
        if after is not None:  # once more from the first key: chunks another worker held, or released
            after = None
            continue
        if not wait or not JobChunk.objects.filter(run_id=run_id, done_at__isnull=True).exists():
            return count
        JobRun.objects.filter(pk=run_id).update(heartbeat_at=timezone.now())
        if should_yield is not None and should_yield():  # only waiting: the worker is better used elsewhere
            raise Yielded(count)
        time.sleep(every)

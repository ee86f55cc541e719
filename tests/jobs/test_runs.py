"""Job runs: one per natural key, chunks that resume, failures recorded, the sweeper re-queues dead work."""

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import time_machine
from django.db import connection

from facturier.jobs.models import JobChunk, JobRun, OutboxEvent, RunStatus
from facturier.jobs.runs import job_execute, job_start
from facturier.jobs.sweeper import sweep

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC


@pytest.mark.django_db
def test_starting_a_job_twice_with_its_natural_key_gives_the_same_run():
    # given a job started once
    first, created = job_start(key="billing:C-1:2026-06", task="tests.jobs.sample_tasks.noop")
    # when it is started again with the same key
    again, created_again = job_start(key="billing:C-1:2026-06", task="tests.jobs.sample_tasks.noop")
    # then there is one run
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert JobRun.objects.count() == 1


@pytest.mark.django_db
def test_a_chunked_run_reports_progress_and_runs_each_chunk_once():
    # given a queued run of five chunks
    run, _ = job_start(key="k", task="tests.jobs.sample_tasks.slow_chunks", args={"n": 5})
    # when a worker executes it
    assert job_execute(run_id=run.pk) == RunStatus.DONE
    # then every chunk ran once and the progress is complete
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.percent, run.result) == (RunStatus.DONE, 5, 5, 100, 5)
    assert OutboxEvent.objects.filter(type="test.chunk").count() == 5
    # and a second execution of the same run does nothing
    assert job_execute(run_id=run.pk) == "skipped"


@pytest.mark.django_db
def test_a_resumed_run_skips_the_chunks_already_done():
    # given a run whose worker died after two of its four chunks
    run, _ = job_start(key="k", task="tests.jobs.sample_tasks.slow_chunks", args={"n": 4})
    JobChunk.objects.bulk_create([JobChunk(run=run, key=f"chunk-{i:03d}") for i in range(4)])
    JobChunk.objects.filter(key__in=["chunk-000", "chunk-001"]).update(
        done_at=dt.datetime(2026, 6, 1, tzinfo=UTC)
    )
    JobRun.objects.filter(pk=run.pk).update(done=2)
    # when it runs again
    job_execute(run_id=run.pk)
    # then only the two missing chunks ran
    assert sorted(OutboxEvent.objects.filter(type="test.chunk").values_list("subject_id", flat=True)) == [
        "chunk-002",
        "chunk-003",
    ]
    run.refresh_from_db()
    assert (run.done, run.total, run.status) == (4, 4, RunStatus.DONE)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_failed_with_its_error():
    # given a job whose task raises
    run, _ = job_start(key="k", task="tests.jobs.sample_tasks.broken")
    # when it runs
    assert job_execute(run_id=run.pk) == RunStatus.FAILED
    # then the run says so, with the error
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "the remote side is down" in run.error


@pytest.mark.django_db
def test_the_sweeper_requeues_a_run_left_running_by_a_dead_worker(django_capture_on_commit_callbacks):
    # given a run claimed by a worker that stopped beating at 12:00
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False):
        run, _ = job_start(key="k", task="tests.jobs.sample_tasks.noop")
        JobRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=dt.datetime.now(UTC))
    # when the sweeper passes at 12:04 (still alive by the timeout), then at 12:06
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, 4, tzinfo=UTC), tick=False):
        assert sweep().stale_runs == 0
    with (
        time_machine.travel(dt.datetime(2026, 6, 1, 12, 6, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert sweep().stale_runs == 1
    # then the run was queued again and ran (immediate backend)
    run.refresh_from_db()
    assert (run.status, run.attempts) == (RunStatus.DONE, 1)


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _wait_for(condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_is_resumed_by_another_and_every_chunk_runs_once(settings):
    # given a job of twelve slow chunks on the database queue
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run, _ = job_start(
        key="import:big", task="tests.jobs.sample_tasks.slow_chunks", args={"n": 12, "pause": 0.4}
    )
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.dev",
           "FACTURIER_SCHEDULER_SECONDS": "0.5", "FACTURIER_JOB_STALE_SECONDS": "3"}  # fmt: skip
    command = [sys.executable, "-m", "facturier.cli", "worker"]
    # when a worker starts it and is killed (SIGKILL) after a few chunks
    first = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: JobRun.objects.get(pk=run.pk).done >= 3, timeout=90)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    stopped_at = JobRun.objects.get(pk=run.pk)
    assert stopped_at.status == RunStatus.RUNNING
    assert stopped_at.done < 12
    # and another worker starts: its sweeper sees the dead run and queues it again
    second = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(lambda: JobRun.objects.get(pk=run.pk).status == RunStatus.DONE, timeout=120)
    finally:
        second.terminate()
        second.wait(20)
    # then the run finished on its second attempt, and each chunk's effect exists exactly once
    run.refresh_from_db()
    assert (run.done, run.total, run.attempts) == (12, 12, 2)
    chunks = list(OutboxEvent.objects.filter(type="test.chunk").values_list("subject_id", flat=True))
    assert sorted(chunks) == [f"chunk-{i:03d}" for i in range(12)]


@pytest.mark.django_db
def test_the_sweeper_puts_back_a_task_left_running_by_a_killed_worker(settings):
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    # given a task a worker started at 10:00 and never finished
    settings.FACTURIER_TASK_STALE_SECONDS = 3600
    started = dt.datetime(2026, 6, 1, 10, tzinfo=UTC)
    stuck = DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING, started_at=started, args_kwargs={"args": [1], "kwargs": {}},
        task_path="facturier.jobs.tasks.execute_job_run", backend_name="default", queue_name="default",
        run_after=started, exception_class_path="", traceback="",
    )  # fmt: skip
    # when the sweeper passes at 10:30, then at 11:01
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 30, tzinfo=UTC), tick=False):
        assert sweep().stale_tasks == 0
    with time_machine.travel(dt.datetime(2026, 6, 1, 11, 1, tzinfo=UTC), tick=False):
        assert sweep().stale_tasks == 1
    # then the task is ready to be claimed again
    stuck.refresh_from_db()
    assert stuck.status == TaskResultStatus.READY

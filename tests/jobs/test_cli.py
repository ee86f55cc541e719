"""`facturier jobs list` shows schedules and runs with their progress; the worker command ticks the scheduler."""

import datetime as dt
import io
import threading

import pytest
from django.core.management import call_command
from django.db import OperationalError

from facturier.cli import build_parser
from facturier.jobs.management.commands.run_worker import scheduler_loop
from facturier.jobs.models import JobRun, RunStatus, Schedule
from facturier.jobs.progress import progress_bar


@pytest.mark.django_db
def test_jobs_list_prints_schedules_and_runs_with_their_progress():
    # given a schedule and a run three quarters done
    Schedule.objects.create(
        name="poll-statuses", task="x", interval_seconds=900, anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    JobRun.objects.create(key="import:statement-7", task="x", status=RunStatus.RUNNING, done=3, total=4)
    out = io.StringIO()
    # when the jobs are listed
    call_command("jobs", "list", stdout=out)
    # then both show, the run with its progress
    assert "poll-statuses" in out.getvalue()
    assert "every 900 s" in out.getvalue()
    assert "running       3/4       75%  import:statement-7" in out.getvalue()


def test_the_facturier_command_has_jobs_list_and_run():
    assert build_parser().parse_args(["jobs", "run", "poll-statuses"]).schedule == "poll-statuses"


def test_the_progress_bar_stays_out_of_a_pipe():
    # given output that is not a terminal
    stream = io.StringIO()
    # when a long loop is tracked
    assert list(progress_bar(range(50), label="export", stream=stream)) == list(range(50))
    # then nothing was drawn into it
    assert stream.getvalue() == ""


def _done_run_exists() -> bool:
    """Whether a run finished; False while the scheduler thread holds the table. The test database on
    SQLite is in memory with a shared cache, where a reader gets "table is locked" at once instead of
    waiting (a file database in WAL mode, as the product uses, waits)."""
    try:
        return JobRun.objects.filter(status=RunStatus.DONE).exists()
    except OperationalError:
        return False


@pytest.mark.django_db(transaction=True)
def test_the_worker_scheduler_creates_the_shipped_schedules_and_fires_them(settings):
    # given no schedule yet
    settings.FACTURIER_SCHEDULES = [
        {"name": "tick", "task": "tests.jobs.sample_tasks.noop", "interval_seconds": 60}
    ]
    stop = threading.Event()
    # when the scheduler loop of a worker ticks once
    thread = threading.Thread(target=scheduler_loop, args=(stop, 0.05))
    thread.start()
    try:
        deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
        while not _done_run_exists() and dt.datetime.now(dt.UTC) < deadline:
            stop.wait(0.1)
    finally:
        stop.set()
        thread.join(10)
    # then the schedule exists and its first period ran
    assert Schedule.objects.get().name == "tick"
    assert JobRun.objects.get().status == RunStatus.DONE


@pytest.mark.django_db(transaction=True)
def test_jobs_run_executes_a_schedules_job_now_and_reports_it():
    # given a schedule whose job has three chunks
    Schedule.objects.create(name="import", task="tests.jobs.sample_tasks.slow_chunks", args={"n": 3},
                            interval_seconds=3600, anchor=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))  # fmt: skip
    out = io.StringIO()
    # when it is run by hand
    call_command("jobs", "run", "import", stdout=out)
    # then its run finished with every chunk, and the command said so
    run = JobRun.objects.get()
    assert (run.status, run.done, run.total) == (RunStatus.DONE, 3, 3)
    assert out.getvalue().startswith("done manual:import:")

"""Job priorities: a run keeps its queue priority when re-queued, and a time slice sees only tasks above it."""

import datetime as dt

import pytest
from django.utils import timezone

from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import TimeSlice, job_start
from facturier.jobs.sweeper import sweep


@pytest.fixture
def database_queue(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_the_sweeper_requeues_a_dead_run_at_its_own_priority(database_queue):
    from django_tasks_db.models import DBTaskResult

    # given a low-priority run whose worker died (no heartbeat for an hour)
    with database_queue(execute=True):
        run, _ = job_start(key="low:1", task="tests.jobs.sample_tasks.noop", priority=-10)
    assert DBTaskResult.objects.get().priority == -10
    DBTaskResult.objects.all().delete()
    JobRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING, heartbeat_at=timezone.now())
    # when the sweeper sees it an hour later
    with database_queue(execute=True):
        sweep(now=timezone.now() + dt.timedelta(hours=1))
    # then it is queued again, still below the other tasks
    assert DBTaskResult.objects.get().priority == -10
    assert JobRun.objects.get(pk=run.pk).status == RunStatus.QUEUED


@pytest.mark.django_db
def test_a_time_slice_ends_only_when_a_task_of_higher_priority_waits(database_queue):
    low, same = TimeSlice(-10, seconds=0), TimeSlice(0, seconds=0)
    assert not low()  # nothing waits
    assert not same()
    with database_queue(execute=True):
        job_start(key="export:1", task="tests.jobs.sample_tasks.noop")  # priority 0
    assert low()
    assert not same()  # a task of the same priority waits its turn
    assert not TimeSlice(-10, seconds=3600)()  # the slice is not over yet


@pytest.mark.django_db
def test_without_the_database_queue_nothing_ever_waits():
    assert not TimeSlice(-10, seconds=0)()

"""Task priorities: a billing run's tasks wait behind every other task, and a run hands its worker back
between chunks when one waits, so the PDFs of its first invoices are rendered before the run ends."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from facturier.billing.execution import PRIORITY
from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.runs import TASK, billing_run_start
from facturier.documents.tasks import render_issued_pdf
from facturier.invoicing.models import Document
from facturier.jobs.models import RunStatus
from facturier.jobs.runs import job_execute, job_start

PARIS = ZoneInfo("Europe/Paris")
EXECUTE = "facturier.jobs.tasks.execute_job_run"
RENDER = "facturier.documents.tasks.render_issued_pdf"


def _claim():
    """What a `facturier worker` takes next: django-tasks-db's own claim (ready, highest priority first)."""
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        claimed = DBTaskResult.objects.ready().get_locked()
        claimed.claim("test-worker")
    return claimed


@pytest.fixture
def database_queue(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    return django_capture_on_commit_callbacks


@pytest.mark.django_db
def test_the_worker_claims_a_waiting_task_before_a_billing_run_queued_earlier(entity, owner, database_queue):
    # given a billing run queued first, then an ordinary job (priority 0)
    with database_queue(execute=True):
        run = billing_run_start(entity=entity, day=dt.date(2026, 2, 1), by=owner)
        other, _ = job_start(key="export:1", task="tests.jobs.sample_tasks.noop")
    assert run.job_run.priority == PRIORITY < 0 == render_issued_pdf.priority
    # when a worker claims a task, then the ordinary one comes first, the billing run after it
    first = _claim()
    assert (first.task_path, first.args_kwargs["args"]) == (EXECUTE, [other.pk])
    second = _claim()
    assert (second.task_path, second.args_kwargs["args"], second.priority) == (
        EXECUTE,
        [run.job_run.pk],
        PRIORITY,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_yields_to_the_pdfs_of_its_invoices_and_resumes_without_billing_twice(
    entity, make_contract, database_queue, settings
):
    from django_tasks_db.models import DBTaskResult

    # given six contracts due on 1 February, a run queued on the database queue, and a slice of 0 s
    settings.FACTURIER_JOB_SLICE_SECONDS = 0
    settings.FACTURIER_BILLING_BATCH = 2  # two contracts per transaction
    settings.FACTURIER_BILLING_PARALLEL_FROM = 1000  # no helpers: one worker bills the run
    for index in range(6):
        make_contract(reference=f"Y-{index}", start=dt.date(2026, 2, 1))
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
        with database_queue(execute=True):
            job, _ = job_start(key=f"billing:t:{run.pk}", task=TASK, args={"billing_run": str(run.pk)},
                               priority=PRIORITY)  # fmt: skip
        DBTaskResult.objects.all().delete()  # this test plays the worker that claimed it
        run.job_run = job
        run.save(update_fields=["job_run"])
        # when its worker executes it: after the first batch, its invoices' PDF tasks wait (priority 0)
        status = job_execute(run_id=job.pk)
        # then the run went back to the queue, behind those PDF tasks, with one batch billed
        job.refresh_from_db()
        assert (status, job.status, job.done, job.attempts) == (RunStatus.QUEUED, RunStatus.QUEUED, 2, 0)
        assert [_claim().task_path for _ in range(2)] == [RENDER, RENDER]
        second = _claim()
        assert (second.task_path, second.args_kwargs["args"]) == (EXECUTE, [job.pk])
        # and resumed (long slice), it bills the rest once and finishes
        settings.FACTURIER_JOB_SLICE_SECONDS = 3600
        assert job_execute(run_id=job.pk) == RunStatus.DONE
    job.refresh_from_db()
    run.refresh_from_db()
    assert (job.done, job.total, run.status, len(run.results["invoices"])) == (6, 6, "done", 6)
    assert BilledPeriod.objects.count() == 6
    assert Document.objects.filter(kind="invoice", number__isnull=False).count() == 6
    assert DBTaskResult.objects.filter(task_path=RENDER).count() == 6

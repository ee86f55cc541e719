"""The shipped schedules: every periodic chore is a stored schedule the worker fires once per period."""

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.module_loading import import_string

from facturier.accounts.models import LegalEntity
from facturier.jobs.models import JobRun, RunStatus, Schedule
from facturier.jobs.runs import job_execute
from facturier.jobs.scheduler import default_specs, fire_due, schedules_sync

UTC, PARIS = dt.UTC, ZoneInfo("Europe/Paris")
SHIPPED = {
    "poll-statuses": "facturier.transmission.tasks.poll_lifecycle_statuses",
    "send-pending-transmissions": "facturier.transmission.tasks.send_pending_transmissions",
    "purge-idempotency-keys": "facturier.api.tasks.purge_idempotency_keys",
    "documents-sweep": "facturier.documents.tasks.sweep_missing_pdfs",
    "audit-checkpoint": "facturier.audit.tasks.write_daily_checkpoints",
    "import-statements": "facturier.banking.tasks.import_watched_statements",
    "provider-events": "facturier.payments.checkout_tasks.process_pending_provider_events",
    "billing-run": "facturier.billing.tasks.daily_billing_runs",
    "billing-notices": "facturier.billing.tasks.send_billing_notices",
    "approval-reminders": "facturier.approvals.tasks.remind_late_approvers",
    "approval-escalations": "facturier.approvals.tasks.escalate_late_approvals",
}


def test_every_periodic_chore_ships_as_a_schedule_of_a_task_that_exists():
    # given the shipped schedules
    specs = {spec.name: spec for spec in default_specs()}
    # then the status polling, the pending transmissions, the idempotency purge, the PDF sweeper and the
    # daily audit checkpoint and the watched statement folders are all there, each naming a task the worker can import
    assert {name: spec.task for name, spec in specs.items()} == SHIPPED
    for spec in specs.values():
        task = import_string(spec.task)
        assert callable(getattr(task, "func", task))  # a django_tasks Task: the worker runs its function


def _runs(name: str) -> list[dt.datetime]:
    return list(
        JobRun.objects.filter(schedule__name=name).order_by("period").values_list("period", flat=True)
    )


@pytest.mark.django_db
def test_the_worker_fires_each_shipped_schedule_once_per_period(entity):
    # given a fresh installation whose first worker starts on 1 June 2026 at midnight UTC
    start = dt.datetime(2026, 6, 1, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        assert schedules_sync() == len(SHIPPED)
    # when two workers tick every 5 minutes, at the same instants, for 26 hours
    moment, end = start, start + dt.timedelta(hours=26)
    while moment <= end:
        with time_machine.travel(moment, tick=False):
            fire_due()
            assert fire_due() == []  # the second worker of the same instant finds every run started
        moment += dt.timedelta(minutes=5)
    # then the sweeper ran every 10 minutes and the status polling every 15, each period once
    sweeps, polls = _runs("documents-sweep"), _runs("poll-statuses")
    assert sweeps == [start + dt.timedelta(minutes=10 * i) for i in range(26 * 6 + 1)]
    assert polls == [start + dt.timedelta(minutes=15 * i) for i in range(26 * 4 + 1)]
    assert len(_runs("send-pending-transmissions")) == 26 * 6 + 1
    assert len(_runs("import-statements")) == 26 * 12 + 1  # the watched statement folders, every 5 minutes
    assert len(_runs("provider-events")) == 26 * 12 + 1  # payment-provider events left unprocessed
    assert len(_runs("approval-reminders")) == 26 + 1  # late approvers reminded, hourly
    assert len(_runs("approval-escalations")) == 26 + 1  # late approvals escalated, hourly
    # and the daily chores once a day, at their Paris wall-clock time
    assert _runs("audit-checkpoint") == [
        dt.datetime(2026, 6, 1, 2, 30, tzinfo=PARIS),
        dt.datetime(2026, 6, 2, 2, 30, tzinfo=PARIS),
    ]
    assert _runs("purge-idempotency-keys") == [
        dt.datetime(2026, 6, 1, 3, 15, tzinfo=PARIS),
        dt.datetime(2026, 6, 2, 3, 15, tzinfo=PARIS),
    ]
    assert _runs("billing-run") == [
        dt.datetime(2026, 6, 1, 6, 0, tzinfo=PARIS)
    ]  # the 2nd is after the 26 hours
    assert _runs("billing-notices") == [dt.datetime(2026, 6, 1, 7, 0, tzinfo=PARIS)]
    assert JobRun.objects.count() == len(set(JobRun.objects.values_list("key", flat=True)))


@pytest.mark.django_db
def test_the_sweep_and_checkpoint_runs_do_their_work(entity, settings):
    # given the shipped schedules fired on the night of 2 June (after the 02:30 checkpoint)
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=UTC), tick=False):
        schedules_sync()
    with time_machine.travel(dt.datetime(2026, 6, 2, 1, tzinfo=UTC), tick=False):
        fire_due()
    # when a worker executes the checkpoint run and the sweep run
    checkpoint = JobRun.objects.get(schedule__name="audit-checkpoint")
    sweep = JobRun.objects.get(schedule__name="documents-sweep")
    assert job_execute(run_id=checkpoint.pk) == RunStatus.DONE
    assert job_execute(run_id=sweep.pk) == RunStatus.DONE
    # then a checkpoint file was written for the global chain and for every company
    checkpoint.refresh_from_db()
    sweep.refresh_from_db()
    companies = {str(pk) for pk in LegalEntity.objects.values_list("pk", flat=True)}
    assert str(entity.pk) in companies
    assert checkpoint.result == len(companies) + 1
    folders = {path.name for path in Path(settings.FACTURIER_CHECKPOINT_DIR).iterdir()}
    assert folders == {"global", *companies}
    # and the sweep found no issued document missing its PDF
    assert sweep.result == 0
    assert Schedule.objects.filter(name="audit-checkpoint", last_period__isnull=False).exists()

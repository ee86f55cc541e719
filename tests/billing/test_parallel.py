"""One billing run billed by two workers at once (PostgreSQL): each claims contracts the other does not
hold, and every period is still invoiced exactly once, numbered without gap."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.execution import help_execute
from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.runs import TASK
from facturier.invoicing.models import Document
from facturier.jobs.models import JobChunk, JobRun
from facturier.jobs.runs import job_execute
from tests.pg_race import run_concurrently

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_is_billed_by_two_workers_with_one_invoice_per_contract_and_period(
    entity, make_contract, settings
):
    # given 24 contracts due on 1 February (January and February each) and a run queued as a job
    settings.FACTURIER_BILLING_BATCH = 5
    for index in range(24):
        make_contract(reference=f"P-{index:02d}")
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    job = JobRun.objects.create(key=f"billing:test:{run.pk}", task=TASK, args={"billing_run": str(run.pk)})
    run.job_run = job
    run.save(update_fields=["job_run"])

    def worker():  # the worker that took the run: plans its chunks, bills, waits for the last, gathers
        with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=True):
            return job_execute(run_id=job.pk)

    def helper():  # a helper task on another worker, once the chunks are planned
        with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=True):
            for _ in range(600):
                if JobChunk.objects.filter(run=job).exists():
                    break
                threading.Event().wait(0.05)
            return help_execute(BillingRun.objects.select_related("entity").get(pk=run.pk), job.pk)

    # when the run's worker and a helper bill it at the same time
    shares, failures = run_concurrently({"worker": worker, "helper": helper}, timeout=600)
    # then both billed a share of the contracts, each contract once
    assert failures == []
    assert shares["worker"] == "done"
    job.refresh_from_db()
    assert job.done == job.total == 24
    assert 0 < shares["helper"] < 24
    # and every period of every contract has exactly one invoice, numbered without gap
    assert BilledPeriod.objects.count() == 48
    assert BilledPeriod.objects.filter(document__isnull=True).count() == 0
    numbers = sorted(Document.objects.filter(kind="invoice").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 48
    assert sorted(int(number.rsplit("-", 1)[1]) for number in numbers) == list(range(1, 49))
    run.refresh_from_db()
    assert run.status == "done"
    assert sorted(run.results["invoices"]) == numbers
    assert run.results["errors"] == []

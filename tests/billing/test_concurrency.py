"""Two billing runs at once (PostgreSQL): still exactly one invoice per contract and period."""

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.runs import execute
from facturier.invoicing.models import Document

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_bill_each_period_once(entity, make_contract):
    # given ten contracts due on 1 March (January to March each: a backlog of three periods)
    for index in range(10):
        make_contract(reference=f"C-{index:02d}")
    runs = [BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 3, 1)) for _ in range(2)]
    barrier, failures = threading.Barrier(2), []

    def bill(run):
        try:
            with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
                barrier.wait(10)
                execute(BillingRun.objects.select_related("entity").get(pk=run.pk))
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    # when two runs bill the same date at the same instant
    threads = [threading.Thread(target=bill, args=(run,)) for run in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # then every period of every contract has exactly one invoice, and no run failed
    assert failures == []
    assert BilledPeriod.objects.count() == 30
    assert Document.objects.filter(kind="invoice").count() == 30
    numbers = [r.results["invoices"] for r in BillingRun.objects.all()]
    assert sum(len(n) for n in numbers) == 30
    assert not set(numbers[0]) & set(numbers[1])
    assert all(not r.results["errors"] for r in BillingRun.objects.all())

"""The demo's usage: a metered contract whose past months a billing run bills from the recorded events."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import BilledPeriod, Contract, UsageEvent
from facturier.billing.runs import billing_run_start
from facturier.demo.usage import create_usage
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db


def test_the_demo_usage_is_billed_month_by_month(entity, customer, owner):
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=ZoneInfo("Europe/Paris")), tick=False):
        recorded = create_usage(entity, {customer.code: customer}, owner, dt.date(2026, 3, 10))
        assert recorded == UsageEvent.objects.count() == 3 * (31 + 31 + 28 + 9)  # December to 9 March
        billing_run_start(entity=entity, day=dt.date(2026, 3, 10), by=None)
        for job in JobRun.objects.filter(status=RunStatus.QUEUED, task__contains="billing"):
            job_execute(run_id=job.pk)
    contract = Contract.objects.get(reference="USAGE-001")
    billed = BilledPeriod.objects.filter(contract=contract).order_by("period_start")
    assert [bp.period_start for bp in billed] == [
        dt.date(2025, 12, 1),
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]
    assert all(bp.document is not None and bp.document.tax_exclusive > 0 for bp in billed)

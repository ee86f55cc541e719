"""A contract with one due period is billed without a savepoint of its own (two statements less per
invoice); a period claimed meanwhile by another run still leaves nothing behind and no error."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing import execution, runs
from facturier.billing.compute import due_periods
from facturier.billing.models import BilledPeriod, BillingRun, BillingRunStatus
from facturier.invoicing.models import Document

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.django_db
def test_a_period_claimed_by_another_run_meanwhile_is_skipped_and_its_draft_dropped(
    entity, make_contract, monkeypatch, settings
):
    # the one-by-one path (`RunBiller._bill`), which a batch falls back to when its bulk write finds a
    # period claimed (tests/billing/test_bulk_drafts.py)
    settings.FACTURIER_BILLING_BULK_DRAFTS = False
    day = dt.date(2026, 2, 1)
    contract = make_contract(reference="K-1", start=day)
    seen = due_periods(contract, day)  # what this run read before the other one claimed the period
    assert len(seen) == 1
    BilledPeriod.objects.create(contract=contract, period_start=seen[0].period.start, period_end=seen[0].period.end,
                                amounts=seen[0].amounts)  # fmt: skip
    real, calls = runs.due_periods, []

    def stale_then_real(*args, **options):
        calls.append(1)
        return seen if len(calls) == 1 else real(*args, **options)

    monkeypatch.setattr(runs, "due_periods", stale_then_real)
    run = BillingRun.objects.create(entity=entity, run_date=day)
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        result = execution.execute(run)
    run.refresh_from_db()
    assert len(calls) == 2  # billed again after the conflict, each period in its own savepoint
    assert result == {"invoices": 0, "errors": 0}
    assert run.status == BillingRunStatus.DONE
    assert not Document.objects.filter(customer=contract.customer).exists()  # the draft was rolled back
    assert BilledPeriod.objects.filter(contract=contract).count() == 1

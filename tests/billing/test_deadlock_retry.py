"""A contract whose transaction PostgreSQL picks as a deadlock victim is billed again, once: the run does
not report it as failed. (The deadlock is injected: a real one depends on two writers' timing.)"""

import datetime as dt
from zoneinfo import ZoneInfo

import psycopg
import pytest
import time_machine
from django.db import OperationalError

from facturier.billing import execution
from facturier.billing.models import BillingRun, BillingRunStatus
from facturier.invoicing.models import Document

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(autouse=True)
def _one_by_one(settings):
    """The retries are those of the one-by-one path (`RunBiller._bill`): what a batch falls back to when
    its bulk write fails (`billing.bulk_drafts`; below, a deadlock there)."""
    settings.FACTURIER_BILLING_BULK_DRAFTS = False


def _deadlock() -> OperationalError:
    error = OperationalError("deadlock detected")
    error.__cause__ = psycopg.errors.DeadlockDetected("deadlock detected")
    return error


@pytest.mark.parametrize(("failures", "billed"), [(1, True), (2, True), (3, False)])
def test_a_deadlocked_contract_is_retried_up_to_three_times(
    entity, make_contract, monkeypatch, failures, billed
):
    contract = make_contract(reference="D-1")
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    real, calls = execution.bill_contract, []

    def deadlocking(*args, **options):
        calls.append(args[0].reference)
        if len(calls) <= failures:
            raise _deadlock()
        return real(*args, **options)

    monkeypatch.setattr(execution, "bill_contract", deadlocking)
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        result = execution.execute(run)
    run.refresh_from_db()
    invoices = Document.objects.filter(entity=entity, customer=contract.customer, seal_hash__gt="")
    if billed:
        assert calls == ["D-1"] * (failures + 1)
        assert result["errors"] == 0
        assert run.status == BillingRunStatus.DONE
        assert invoices.count() == result["invoices"] > 0
    else:  # the third deadlock is the contract's error; nothing of it was written
        assert calls == ["D-1"] * 3
        assert result["errors"] == 1
        assert run.status == BillingRunStatus.FAILED
        assert "deadlock" in run.results["errors"][0]["reason"]
        assert not invoices.exists()


def test_any_other_database_error_is_not_retried(entity, make_contract, monkeypatch):
    make_contract(reference="E-1")
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    calls = []

    def failing(*args, **options):
        calls.append(1)
        raise OperationalError("disk full")

    monkeypatch.setattr(execution, "bill_contract", failing)
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        result = execution.execute(run)
    assert calls == [1]
    assert result["errors"] == 1


def test_a_deadlock_in_the_bulk_write_bills_the_batch_one_by_one(
    entity, make_contract, monkeypatch, settings
):
    # given two contracts due on 1 February, and the bulk write of their drafts chosen as a deadlock victim
    from facturier.billing import bulk_drafts

    settings.FACTURIER_BILLING_BULK_DRAFTS = True
    contracts = [make_contract(reference=f"F-{index}") for index in range(2)]

    def deadlocked(**options):
        raise _deadlock()

    monkeypatch.setattr(bulk_drafts, "drafts_create_many", deadlocked)
    run = BillingRun.objects.create(entity=entity, run_date=dt.date(2026, 2, 1))
    # when the run bills them
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        result = execution.execute(run)
    # then each was billed one by one: January and February invoiced, no error
    run.refresh_from_db()
    assert result == {"invoices": 4, "errors": 0}
    assert run.status == BillingRunStatus.DONE
    for contract in contracts:
        assert Document.objects.filter(note__contains=contract.reference, seal_hash__gt="").count() == 2

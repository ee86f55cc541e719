"""Billing runs: every due invoice once, in the company's calendar, previewed or issued."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import BilledPeriod, BillingRun
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData, contract_change, contract_terminate
from facturier.invoicing.models import Document
from facturier.jobs.models import JobChunk, JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _work():
    """What a worker does: execute every queued job run (tests hold the transaction, so on_commit waits)."""
    for job in JobRun.objects.filter(status=RunStatus.QUEUED):
        job_execute(run_id=job.pk)


def _run(entity, day, dry_run=False):
    run = billing_run_start(entity=entity, day=day, by=None, dry_run=dry_run)
    _work()
    run.refresh_from_db()
    return run


def _invoices(contract):
    return list(
        Document.objects.filter(
            pk__in=BilledPeriod.objects.filter(contract=contract).values("document")
        ).order_by("number")
    )


def test_a_monthly_contract_billed_in_advance_is_invoiced_on_the_first_day(entity, make_contract):
    # given a contract of 100.00 a month from 1 January 2026
    contract = make_contract()
    # when the run of 1 January executes
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 1, 1))
    # then one invoice for January is issued
    assert run.status == "done", run.results
    assert len(run.results["invoices"]) == 1
    [invoice] = _invoices(contract)
    assert invoice.status == "issued"
    assert invoice.tax_exclusive == Decimal("100.00")
    assert "2026-01-01" in invoice.note
    assert "2026-01-31" in invoice.note


def test_running_twice_for_the_same_date_bills_nothing_the_second_time(entity, make_contract):
    make_contract()
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        first = _run(entity, dt.date(2026, 1, 1))
        second = _run(entity, dt.date(2026, 1, 1))
    assert len(first.results["invoices"]) == 1
    assert second.results["invoices"] == []
    assert second.results["errors"] == []
    assert BilledPeriod.objects.count() == 1


def test_a_dry_run_previews_without_writing(entity, make_contract):
    make_contract(price="49.90", quantity="3")
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 1, 1), dry_run=True)
    assert run.results["totals"] == {"EUR": "149.70"}
    assert [i["period"] for i in run.results["invoices"]] == [["2026-01-01", "2026-01-31"]]
    assert not BilledPeriod.objects.exists()
    assert not Document.objects.filter(kind="invoice").exists()


def test_a_mid_month_start_bills_the_partial_calendar_month_by_the_day(entity, make_contract):
    # given 31.00 a month from 20 January (calendar alignment): 12 days of 31
    contract = make_contract(start=dt.date(2026, 1, 20), price="31.00")
    with time_machine.travel(dt.datetime(2026, 1, 20, 8, tzinfo=PARIS), tick=False):
        _run(entity, dt.date(2026, 1, 20))
    assert [i.tax_exclusive for i in _invoices(contract)] == [Decimal("12.00")]


def test_an_upgrade_mid_month_credits_the_old_plan_and_charges_the_new_on_the_next_invoice(
    entity, make_contract, owner
):
    # given 30.00 a month for April, billed in advance on 1 April
    contract = make_contract(start=dt.date(2026, 4, 1), price="30.00")
    with time_machine.travel(dt.datetime(2026, 4, 1, 8, tzinfo=PARIS), tick=False):
        _run(entity, dt.date(2026, 4, 1))
    # when the plan becomes 60.00 from 16 April
    item = contract.items.get()
    contract_change(contract=contract, by=owner, effective_date=dt.date(2026, 4, 16), item=item, kind="plan",
                    new=ItemData(description="Abonnement Pro", unit_price=Decimal("60.00")))  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 5, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 5, 1))
    # then May's invoice charges May at 60.00, plus 15 days of April at 60 (30.00), minus 15 days at 30 (15.00)
    assert run.results["errors"] == []
    may = _invoices(contract)[-1]
    assert may.tax_exclusive == Decimal("60.00") + Decimal("30.00") - Decimal("15.00")
    # and April, all told, is billed exactly what the days cost
    april = BilledPeriod.objects.get(contract=contract, period_start=dt.date(2026, 4, 1))
    assert sum(Decimal(v) for v in april.amounts.values()) == Decimal("45.00")


def test_a_termination_stops_billing_and_credits_the_unused_days(entity, make_contract, owner):
    # given 31.00 a month billed in advance for March and April, terminated from 21 March
    contract = make_contract(start=dt.date(2026, 3, 1), price="31.00", items=[
        ItemData(description="Abonnement", unit_price=Decimal("31.00")),
        ItemData(description="Support", unit_price=Decimal("62.00")),
    ])  # fmt: skip
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
        _run(entity, dt.date(2026, 3, 1))
    # a new item added from 1 April keeps the next invoice positive
    contract_change(contract=contract, by=owner, effective_date=dt.date(2026, 3, 21),
                    new=ItemData(description="Archivage", unit_price=Decimal("31.00")))  # fmt: skip
    contract_terminate(contract=contract, by=owner, end_date=dt.date(2026, 4, 11))
    with time_machine.travel(dt.datetime(2026, 4, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 4, 1))
    assert run.results["errors"] == []
    # then April is billed for 10 days of 31+62+31 per 30 days, and March's archive for 11 days of 31
    april = _invoices(contract)[-1]
    assert april.tax_exclusive == Decimal("41.33") + Decimal("11.00")
    with time_machine.travel(dt.datetime(2026, 5, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 5, 1))
    assert run.results["invoices"] == []


def test_an_error_on_one_contract_does_not_stop_the_others(entity, make_contract, customer):
    # given two contracts, one in a currency without exchange rate
    make_contract(reference="A-1", currency="USD")
    good = make_contract(reference="B-1")
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 1, 1))
    assert run.status == "failed"
    assert [(e["contract"], e["code"]) for e in run.results["errors"]] == [("A-1", "exchange_rate_required")]
    assert len(_invoices(good)) == 1


def test_the_entity_calendar_decides_the_day_not_utc(entity, make_contract):
    # given a contract starting 1 January in a company of Nouméa (UTC+11)
    entity.time_zone = "Pacific/Noumea"
    entity.save()
    make_contract()
    # when the daily runs fire at 06:00 Paris on 31 December (already 1 January in Nouméa)
    from facturier.billing.tasks import daily_billing_runs

    with time_machine.travel(dt.datetime(2025, 12, 31, 14, tzinfo=dt.UTC), tick=False):
        daily_billing_runs.func()
        _work()
    # then the run is dated the company's 1 January and January is billed
    run = BillingRun.objects.get()
    assert run.run_date == dt.date(2026, 1, 1)
    assert len(run.results["invoices"]) == 1


def test_a_resumed_run_skips_the_contracts_already_done(entity, make_contract):
    make_contract(reference="A-1")
    make_contract(reference="B-1")
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        run = _run(entity, dt.date(2026, 1, 1))
        # when the job run is put back in the queue (a crashed worker) and executed again
        run.job_run.__class__.objects.filter(pk=run.job_run.pk).update(status=RunStatus.QUEUED)
        JobChunk.objects.filter(run=run.job_run, key=str(BilledPeriod.objects.first().contract_id)).update(
            done_at=None
        )
        job_execute(run_id=run.job_run.pk)
    # then nothing is billed twice
    assert Document.objects.filter(kind="invoice").count() == 2
    assert BilledPeriod.objects.count() == 2


def test_a_termination_after_the_last_invoice_is_credited_by_a_credit_note(entity, make_contract, owner):
    # given 31.00 a month billed in advance for March
    contract = make_contract(start=dt.date(2026, 3, 1), price="31.00")
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
        _run(entity, dt.date(2026, 3, 1))
    # when it is terminated from 21 March: no invoice follows to carry the credit
    contract_terminate(contract=contract, by=owner, end_date=dt.date(2026, 3, 21))
    with time_machine.travel(dt.datetime(2026, 3, 22, 8, tzinfo=PARIS), tick=False):
        preview = _run(entity, dt.date(2026, 3, 22), dry_run=True)
        run = _run(entity, dt.date(2026, 3, 22))
        again = _run(entity, dt.date(2026, 3, 23))
    # then the unused 11 days are credited by one credit note against March's invoice, once
    assert preview.results["credit_notes"][0]["total"] == "11.00"
    assert run.results["errors"] == []
    assert len(run.results["credit_notes"]) == 1
    assert again.results["credit_notes"] == []
    credit = Document.objects.get(number=run.results["credit_notes"][0])
    assert credit.tax_exclusive == Decimal("11.00")
    assert credit.preceding_invoice == _invoices(contract)[0]


def test_a_fixed_term_without_tacit_renewal_stops_at_its_term(entity, make_contract):
    contract = make_contract(start=dt.date(2026, 1, 1), term_months=2, tacit_renewal=False)
    for day in (dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)):
        with time_machine.travel(dt.datetime.combine(day, dt.time(8), tzinfo=PARIS), tick=False):
            _run(entity, day)
    assert list(BilledPeriod.objects.filter(contract=contract).values_list("period_start", flat=True)) == [
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 1),
    ]


def test_a_termination_respects_the_notice(entity, make_contract, owner):
    from facturier.common.errors import ValidationFailed

    contract = make_contract(notice_days=30)
    with time_machine.travel(dt.datetime(2026, 3, 10, 8, tzinfo=PARIS), tick=False):
        with pytest.raises(ValidationFailed) as refused:
            contract_terminate(contract=contract, by=owner, end_date=dt.date(2026, 4, 1))
        assert refused.value.code == "notice_period"
        contract_terminate(contract=contract, by=owner, end_date=dt.date(2026, 4, 9))

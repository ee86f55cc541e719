"""Contract options the runs enforce: changes billed immediately, a minimum commitment, a trial."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import BilledPeriod
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData, contract_change, contract_terminate
from facturier.invoicing.models import Document
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _at(day):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 8, tzinfo=PARIS), tick=False)


def _run(entity, day):
    with _at(day):
        run = billing_run_start(entity=entity, day=day, by=None)
        for job in JobRun.objects.filter(status=RunStatus.QUEUED):
            job_execute(run_id=job.pk)
    run.refresh_from_db()
    return run


def test_an_upgrade_billed_immediately_makes_its_adjustment_invoice_at_once(entity, make_contract, owner):
    contract = make_contract(start=dt.date(2026, 4, 1), price="30.00", proration_policy="immediate")
    _run(entity, dt.date(2026, 4, 1))
    # when the plan becomes 60.00 from 16 April (15 days of 30 left)
    with _at(dt.date(2026, 4, 16)):
        change = contract_change(contract=contract, by=owner, effective_date=dt.date(2026, 4, 16), kind="plan",
                                 item=contract.items.get(),
                                 new=ItemData(description="Pro", unit_price=Decimal("60.00")))  # fmt: skip
    # then an invoice of +30.00 -15.00 is issued now, not on May's invoice
    [number] = change.details["settled"]["invoices"]
    adjustment = Document.objects.get(number=number)
    assert adjustment.tax_exclusive == Decimal("15.00")
    may = _run(entity, dt.date(2026, 5, 1))
    [may_invoice] = Document.objects.filter(number__in=may.results["invoices"])
    assert may_invoice.tax_exclusive == Decimal("60.00")


def test_a_termination_billed_immediately_credits_the_unused_days_by_credit_note(
    entity, make_contract, owner
):
    contract = make_contract(start=dt.date(2026, 4, 1), price="30.00", proration_policy="immediate")
    _run(entity, dt.date(2026, 4, 1))
    with _at(dt.date(2026, 4, 10)):
        contract_terminate(contract=contract, by=owner, end_date=dt.date(2026, 4, 21))
    [credit] = Document.objects.filter(type_code="381")
    assert credit.tax_exclusive == Decimal("10.00")  # 10 unused days of 30 at 1.00
    assert _run(entity, dt.date(2026, 5, 1)).results["invoices"] == []


def test_a_minimum_commitment_tops_up_a_period_prorated_by_the_days_served(entity, make_contract):
    # 10 seats at 5.00, a minimum of 100.00 a month, from 16 April (15 days of 30)
    make_contract(start=dt.date(2026, 4, 16), price="5.00", quantity="10", minimum_amount=Decimal("100.00"))
    _run(entity, dt.date(2026, 5, 1))
    april, may = (
        Document.objects.get(pk=bp.document_id) for bp in BilledPeriod.objects.order_by("period_start")
    )
    assert april.tax_exclusive == Decimal("50.00")  # 25.00 of seats + 25.00 of top-up to half the minimum
    assert may.tax_exclusive == Decimal("100.00")
    assert any("Engagement minimum" in line.description for line in may.lines.all())


def test_a_trial_is_not_billed(entity, make_contract):
    make_contract(start=dt.date(2026, 4, 1), price="30.00", trial_days=14)
    _run(entity, dt.date(2026, 4, 30))
    [april] = Document.objects.filter(kind="invoice")
    assert april.tax_exclusive == Decimal("16.00")  # from 15 April: 16 days of 30


def test_a_one_off_fee_is_billed_once_whole_with_the_first_period(entity, make_contract):
    # a setup fee of 2 × 150.00 with a subscription starting on 20 January (12/31 of January)
    make_contract(start=dt.date(2026, 1, 20), price="31.00", items=[
        ItemData(description="Abonnement", unit_price=Decimal("31.00")),
        ItemData(description="Mise en service", pricing_model="one_off", quantity=Decimal(2),
                 unit_price=Decimal("150.00")),
    ])  # fmt: skip
    _run(entity, dt.date(2026, 3, 1))
    january, february, march = (
        Document.objects.get(pk=bp.document_id) for bp in BilledPeriod.objects.order_by("period_start")
    )
    assert january.tax_exclusive == Decimal("12.00") + Decimal("300.00")
    assert "Mise en service" in [line.description for line in january.lines.all()]
    assert february.tax_exclusive == march.tax_exclusive == Decimal("31.00")

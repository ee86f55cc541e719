"""The billing demo: real runs at past dates counted from the anchor (their invoices dated on them), an
upgrade and a Syntec revision."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.accounts.actor import as_actor
from facturier.billing.models import BilledPeriod, BillingRun, Contract
from facturier.demo.billing import load_billing_demo
from facturier.invoicing.models import Document

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize("anchor", [dt.date(2026, 12, 7), dt.date(2028, 2, 29), dt.date(2027, 1, 1)])
def test_the_demo_bills_four_months_of_saas_with_an_upgrade_and_an_indexed_year(
    entity, customer, owner, anchor
):
    with time_machine.travel(
        dt.datetime(anchor.year, anchor.month, anchor.day, 10, tzinfo=PARIS), tick=False
    ):
        runs = load_billing_demo(entity, [customer], as_actor(owner), anchor)
        assert [day for day, _play in runs] == sorted(day for day, _play in runs)
        for _day, play in runs:  # the loader plays them among the history, in date order
            play()
    saas, yearly = (
        Contract.objects.get(reference="ABO-SAAS-001"),
        Contract.objects.get(reference="MAINT-ANNUEL-001"),
    )
    # four runs, each at the first day of a month, and a preview of the next one; nothing failed
    runs = BillingRun.objects.filter(dry_run=False).order_by("run_date")
    assert [run.run_date.day for run in runs] == [1, 1, 1, 1]
    assert all(run.status == "done" for run in runs), [run.results["errors"] for run in runs]
    assert BillingRun.objects.filter(dry_run=True).count() == 1
    # SaaS: five months (the first run bills two), the upgrade charged on the next invoice
    assert BilledPeriod.objects.filter(contract=saas).count() == 5
    # the indexed contract: two years, the second at 4,800 × 310.5 / 302.1
    second_year = BilledPeriod.objects.filter(contract=yearly).order_by("period_start").last()
    document = Document.objects.get(pk=second_year.document_id)
    assert document.tax_exclusive == Decimal("4933.47")
    assert "Syntec 310.5/302.1" in document.lines.get().description
    assert Document.objects.filter(kind="invoice", status="issued").count() == 7
    # every invoice of a run is dated on the run's date, and numbers follow the dates
    billed = BilledPeriod.objects.filter(document__isnull=False).select_related("document", "billing_run")
    assert {bp.document.issue_date for bp in billed} == {run.run_date for run in runs}
    assert all(bp.document.issue_date == bp.billing_run.run_date for bp in billed)
    numbered = sorted((bp.document.number, bp.document.issue_date) for bp in billed)
    assert [day for _number, day in numbered] == sorted(day for _number, day in numbered)

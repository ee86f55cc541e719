"""Billing runs bill every registered source (exactly once: the source's claim) and can wait for approval."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.accounts.actor import as_actor
from facturier.billing import sources
from facturier.billing.models import BillingRun
from facturier.billing.runs import billing_run_approve, billing_run_start
from facturier.billing.sources import PendingBill
from facturier.common.errors import Conflict, PermissionDenied
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
DAY = dt.date(2026, 3, 1)


class FakeMilestones:
    """A source as an app above would register it: claims kept in a set (a unique row in real life)."""

    key = "milestones"
    label = "Milestones"

    def __init__(self, customer, items):
        self.customer, self.items, self.claimed = customer, items, set()

    def pending(self, entity, day):
        for key, amount in self.items.items():
            if key not in self.claimed:
                yield PendingBill(
                    self.key, key, self.customer.name, f"Milestone {key}", Decimal(amount), "EUR"
                )

    def bill(self, pending, *, day, by):
        if pending.key in self.claimed:
            return None
        if pending.key == "broken":
            from facturier.common.errors import ValidationFailed

            raise ValidationFailed("The acceptance report is missing.", code="no_acceptance")
        self.claimed.add(pending.key)
        return document_create(entity=self.customer.entity, kind="invoice", customer=self.customer, by=by,
                               lines=[LineData(description=pending.description, quantity=Decimal(1),
                                               unit_price=pending.net_amount)])  # fmt: skip


@pytest.fixture
def fake_source(customer):
    source = FakeMilestones(customer, {"M1": "1000.00", "M2": "250.50", "broken": "10"})
    saved = dict(sources._sources)
    sources.register_source(source)
    yield source
    sources._sources.clear()
    sources._sources.update(saved)


def _work():
    for job in JobRun.objects.filter(status=RunStatus.QUEUED):
        job_execute(run_id=job.pk)


def test_the_preview_lists_what_every_source_would_bill_with_the_contracts(
    entity, make_contract, fake_source
):
    make_contract(start=DAY)
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
        run = billing_run_start(entity=entity, day=DAY, by=None, dry_run=True)
    assert [(p["source"], p["key"], p["total"]) for p in run.results["pending"]] == [
        ("milestones", "M1", "1000.00"), ("milestones", "M2", "250.50"), ("milestones", "broken", "10")
    ]  # fmt: skip
    assert run.results["totals"] == {"EUR": "1360.50"}  # 100.00 of the contract + the sources
    assert not Document.objects.exists()


def test_a_run_bills_each_source_item_once_and_reports_the_failing_one(entity, make_contract, fake_source):
    make_contract(start=DAY)
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
        billing_run_start(entity=entity, day=DAY, by=None)
        _work()
        first = BillingRun.objects.get()
        # an item the source claimed already (e.g. a crash after its claim) is skipped, not billed twice
        fake_source.claimed.discard("M2")
        billing_run_start(entity=entity, day=DAY, by=None)
        _work()
    assert len(first.results["invoices"]) == 3  # the contract's and two milestones
    [error] = first.results["errors"]
    assert error == {"source": "milestones", "contract": "broken", "item": "broken", "code": "no_acceptance",
                     "reason": "The acceptance report is missing."}  # fmt: skip
    second = BillingRun.objects.exclude(pk=first.pk).get()
    assert len(second.results["invoices"]) == 1  # M2 again, as the source said it was not billed
    assert Document.objects.filter(kind="invoice", status="issued").count() == 4


def test_a_run_awaiting_approval_bills_nothing_until_approved(entity, make_contract, owner, approver):
    make_contract(start=DAY)
    with time_machine.travel(dt.datetime(2026, 3, 1, 8, tzinfo=PARIS), tick=False):
        run = billing_run_start(entity=entity, day=DAY, by=as_actor(owner), approval=True)
        _work()
        assert run.status == "awaiting_approval"
        assert [i["total"] for i in run.results["invoices"]] == ["100.00"]
        assert not Document.objects.exists()
        # an approver cannot issue invoices: refused
        with pytest.raises(PermissionDenied):
            billing_run_approve(run=run, by=as_actor(approver))
        run = billing_run_approve(run=run, by=as_actor(owner))
        assert (run.status, run.approved_by) == ("running", owner)
        with pytest.raises(Conflict):
            billing_run_approve(run=run, by=as_actor(owner))
        _work()
    run.refresh_from_db()
    assert run.status == "done"
    assert len(run.results["invoices"]) == 1
    assert run.results["preview"]["totals"] == {"EUR": "100.00"}

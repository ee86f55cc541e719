"""Work in progress, valued, and turned into a draft invoice exactly once."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.billing.sources import billing_sources
from facturier.common.errors import ValidationFailed
from facturier.timesheets.models import Expense, TimeEntry
from facturier.timesheets.rates import rate_rule_create, settings_set
from facturier.timesheets.source import cutoff
from facturier.timesheets.wip import wip_invoice, wip_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def card(entity, owner, project):
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal("100.00"), project=project)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal("120.00"), task="Audit")


def test_wip_values_rounded_time_per_task_and_expenses_with_markup(entity, owner, card, approved_time,
                                                                    approved_expense):  # fmt: skip
    # given 15-minute increments, a 10 % default markup, three entries and an expense
    settings_set(entity=entity, by=owner, rounding_minutes=15, expense_markup_percent=Decimal(10))
    approved_time(minutes=50)  # billed 60 min at 100
    approved_time(minutes=5)  # billed 15 min at 100
    approved_time(minutes=30, task="Audit")  # 30 min at 120
    approved_time(minutes=600, billable=False)  # never billed
    approved_expense(amount="200.00")  # +10 %
    # when the work in progress is read
    [wip] = wip_of(entity)
    # then time is grouped per task and person at its rate, rounded up per entry
    assert [(g.task, g.billed_minutes, g.minutes, g.amount) for g in wip.groups] == [
        ("", 75, 55, Decimal("125.00")), ("Audit", 30, 30, Decimal("60.00"))]  # fmt: skip
    assert [e.amount for e in wip.expenses] == [Decimal("220.00")]
    assert wip.total == Decimal("405.00")


def test_invoicing_the_wip_creates_one_draft_and_claims_each_entry_once(entity, owner, project, card, approved_time,
                                                                        approved_expense):  # fmt: skip
    approved_time(minutes=60)
    approved_time(minutes=90, task="Audit")
    approved_expense(amount="50.00", markup="0")
    invoice = wip_invoice(project=project, by=owner)
    # then the draft bills the time per task and the expense on its own line
    lines = list(invoice.lines.order_by("position" if hasattr(invoice.lines.model, "position") else "pk"))
    assert sorted((line.quantity, line.unit_price) for line in lines) == sorted(
        [(Decimal("1.0000"), Decimal("100.00")), (Decimal("1.5000"), Decimal("120.00")),
         (Decimal("1"), Decimal("50.00"))])  # fmt: skip
    assert invoice.status == "draft"
    assert invoice.customer_id == project.customer_id
    assert TimeEntry.objects.filter(invoice=invoice).count() == 2
    assert Expense.objects.filter(invoice=invoice).count() == 1
    # and a second attempt finds nothing left
    assert wip_invoice(project=project, by=owner) is None
    assert wip_of(entity) == []


def test_entries_without_a_rate_stop_the_invoice_with_a_clear_reason(entity, owner, project, approved_time):
    approved_time(minutes=60)
    with pytest.raises(ValidationFailed) as refused:
        wip_invoice(project=project, by=owner)
    assert refused.value.code == "no_rate"
    assert TimeEntry.objects.filter(invoice__isnull=False).count() == 0


def test_draft_or_submitted_time_is_not_work_in_progress(entity, project, consultant, card):
    from facturier.timesheets.services import entry_submit, time_entry_create

    entry = time_entry_create(entity=entity, project=project, person=consultant, by=consultant,
                              date=dt.date(2026, 3, 2), minutes=60)  # fmt: skip
    assert wip_of(entity) == []
    entry_submit(entry=entry, by=consultant)
    assert wip_of(entity) == []


@pytest.mark.parametrize(("run", "last"), [
    (dt.date(2026, 4, 1), dt.date(2026, 3, 31)), (dt.date(2026, 3, 15), dt.date(2026, 2, 28)),
    (dt.date(2024, 3, 1), dt.date(2024, 2, 29)), (dt.date(2027, 1, 1), dt.date(2026, 12, 31)),
])  # fmt: skip
def test_a_billing_run_bills_the_months_before_its_own(run, last):
    assert cutoff(run) == last


def test_the_time_source_bills_last_month_once(entity, owner, project, card, approved_time):
    approved_time(minutes=60, day=dt.date(2026, 3, 31))
    april = approved_time(minutes=60, day=dt.date(2026, 4, 1))
    [source] = [s for s in billing_sources() if s.key == "time"]
    [pending] = source.pending(entity, dt.date(2026, 4, 1))
    assert pending.net_amount == Decimal("100.00")
    assert pending.currency == "EUR"
    invoice = source.bill(pending, day=dt.date(2026, 4, 1), by=owner)
    assert invoice is not None
    assert source.bill(pending, day=dt.date(2026, 4, 1), by=owner) is None
    assert list(source.pending(entity, dt.date(2026, 4, 30))) == []
    april.refresh_from_db()
    assert april.invoice_id is None

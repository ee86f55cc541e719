"""The demo's time-and-materials project: dates from the anchor, part invoiced, the rest in progress."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.demo.timesheets import create_timesheets
from facturier.timesheets.models import EntryStatus, Expense, TimeEntry
from facturier.timesheets.wip import wip_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("anchor", [dt.date(2028, 2, 29), dt.date(2027, 1, 1), dt.date(2026, 10, 26)])
def test_the_demo_project_is_built_around_its_anchor(entity, owner, customer, anchor):
    users = {Role.ADMIN: owner}
    for role in (Role.SALES, Role.APPROVER, Role.ACCOUNTANT):
        users[role] = get_user_model().objects.create_user(
            f"demo-{role}", f"{role}@example.fr", "pw-demo-123"
        )
        membership_set(entity=entity, user=users[role], role=role, by=owner)
    project = create_timesheets(entity, {"C0003": customer}, users, anchor)
    assert project.fixed_price is None
    dates = list(TimeEntry.objects.values_list("date", flat=True))
    assert dates
    assert min(dates) >= anchor - dt.timedelta(weeks=7)
    assert max(dates) < anchor
    invoiced = TimeEntry.objects.filter(invoice__isnull=False)
    assert invoiced.exists()
    assert all(e.date <= anchor - dt.timedelta(weeks=4) for e in invoiced)
    assert TimeEntry.objects.filter(status=EntryStatus.SUBMITTED).exists()  # the last week waits for approval
    [wip] = wip_of(entity)
    assert wip.total > 0
    assert not wip.unpriced
    assert [line.amount for line in wip.expenses] == [Decimal("203.06")]  # 184.60 + 10 %
    assert Expense.objects.get().invoice_id is None

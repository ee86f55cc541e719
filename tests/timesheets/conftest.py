import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.projects.models import Project
from facturier.timesheets.services import entry_decide, entry_submit, expense_create, time_entry_create


@pytest.fixture(autouse=True)
def _receipts_in_tmp(settings, tmp_path):
    settings.FACTURIER_RECEIPTS_ROOT = tmp_path / "receipts"


@pytest.fixture
def consultant(entity, owner):
    user = get_user_model().objects.create_user("alice", "alice@example.fr", "pw-alice-123", first_name="Alice",
                                                last_name="Martin")  # fmt: skip
    membership_set(entity=entity, user=user, role=Role.SALES, by=owner)
    return user


@pytest.fixture
def manager(entity, owner):
    user = get_user_model().objects.create_user("manon", "manon@example.fr", "pw-manon-123")
    membership_set(entity=entity, user=user, role=Role.APPROVER, by=owner)
    return user


@pytest.fixture
def project(entity, customer):
    return Project.objects.create(entity=entity, customer=customer, reference="P-1", name="Refonte",
                                  start_date=dt.date(2026, 1, 1))  # fmt: skip


@pytest.fixture
def approved_time(entity, project, consultant, manager):
    """An approved entry: recorded and submitted by the consultant, approved by the manager."""

    def make(minutes=60, day=dt.date(2026, 3, 10), task="", role="", billable=True):
        entry = time_entry_create(entity=entity, project=project, person=consultant, by=consultant, date=day,
                                  minutes=minutes, task=task, role=role, billable=billable)  # fmt: skip
        entry_submit(entry=entry, by=consultant)
        return entry_decide(entry=entry, by=manager, approve=True)

    return make


@pytest.fixture
def approved_expense(entity, project, consultant, manager):
    def make(amount="100.00", markup=None, day=dt.date(2026, 3, 12)):
        expense = expense_create(entity=entity, project=project, person=consultant, by=consultant, date=day,
                                 category="travel", amount=Decimal(amount), vat_amount=Decimal("10.00"),
                                 markup_percent=None if markup is None else Decimal(markup))  # fmt: skip
        entry_submit(entry=expense, by=consultant)
        return entry_decide(entry=expense, by=manager, approve=True)

    return make

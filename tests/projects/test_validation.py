"""The deposit (386) and the balance deducting it (380, BT-113) pass the official EN 16931 and French
rules on issue; and a claim rolled back (a run that crashed) leaves the milestone to bill, once."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from facturier.projects.billing import claim_and_draft, due_milestones, milestone_bill
from facturier.projects.models import Milestone, MilestoneKind, Trigger
from facturier.projects.services import milestone_add
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture used by name

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 10, 10, tzinfo=ZoneInfo("Europe/Paris"))


@time_machine.travel(NOW, tick=False)
def test_the_deposit_and_the_balance_pass_the_official_rules(make_project, owner, installed_rules):  # noqa: F811
    project = make_project(price="8000.00", deposit_percent=Decimal(25))
    balance = milestone_add(project=project, by=owner, kind=MilestoneKind.BALANCE, label="Solde",
                            trigger=Trigger.DATE, due_date=dt.date(2026, 3, 9))  # fmt: skip
    deposit = milestone_bill(milestone=project.milestones.get(kind=MilestoneKind.DEPOSIT), by=owner)
    final = milestone_bill(milestone=balance, by=owner)  # validated on issue: refused if a rule fails
    assert (deposit.type_code, deposit.is_sealed, deposit.payable) == ("386", True, Decimal("2400.00"))
    assert (final.type_code, final.prepaid, final.payable) == ("380", Decimal("2400.00"), Decimal("7200.00"))


class Crash(Exception):
    pass


@time_machine.travel(NOW, tick=False)
def test_a_claim_rolled_back_by_a_crash_is_billed_by_the_resumed_run(make_project, owner):
    project = make_project()
    milestone = milestone_add(project=project, by=owner, kind=MilestoneKind.INSTALMENT, label="Lot 1",
                              percent=Decimal(10), trigger=Trigger.DATE, due_date=dt.date(2026, 3, 1))  # fmt: skip
    claimed = []

    @transaction.atomic
    def crashing_run():
        claimed.append(claim_and_draft(milestone, dt.date(2026, 3, 10), owner))
        raise Crash

    # when a run claims it and crashes before committing
    with pytest.raises(Crash):
        crashing_run()
    assert claimed[0] is not None
    # then it is still due, and the resumed run bills it once
    assert due_milestones(project.entity, dt.date(2026, 3, 10)) == [milestone]
    assert claim_and_draft(milestone, dt.date(2026, 3, 10), owner) is not None
    assert claim_and_draft(milestone, dt.date(2026, 3, 10), owner) is None
    assert Milestone.objects.get(pk=milestone.pk).invoice.tax_exclusive == Decimal("1000.00")

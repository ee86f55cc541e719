"""The demo project: a 30 % deposit invoiced, a milestone reached and invoiced, one accepted with
reservations, and the balance pending; at any anchor (month end, 29 February, New Year)."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.accounts.actor import as_actor
from facturier.demo.history import Actors
from facturier.demo.projects import create_projects
from facturier.projects.billing import due_milestones
from facturier.projects.models import Acceptance, MilestoneKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("anchor", [dt.date(2028, 2, 29), dt.date(2027, 1, 1), dt.date(2026, 10, 31)])
def test_the_demo_project_has_a_deposit_a_billed_milestone_and_one_pending_acceptance(
    entity, customer, owner, anchor
):
    actors = Actors(sales=as_actor(owner), approver=as_actor(owner), accountant=as_actor(owner))
    with time_machine.travel(dt.datetime.combine(anchor, dt.time(9), ZoneInfo("Europe/Paris")), tick=False):
        project = create_projects(entity, {"C001": customer}, actors, anchor)
    milestones = {m.kind + ":" + m.label: m for m in project.milestones.select_related("invoice")}
    deposit = project.milestones.get(kind=MilestoneKind.DEPOSIT)
    assert deposit.invoice.type_code == "386"
    assert deposit.invoice.is_sealed
    assert deposit.invoice.tax_exclusive == Decimal("14400.00")
    assert deposit.invoice.issue_date == anchor
    assert project.start_date == anchor - dt.timedelta(days=60)
    assert milestones["instalment:Maquettes validées"].invoice.is_sealed
    lot = milestones["instalment:Livraison du lot 1"]
    assert lot.invoice is None
    assert lot.reached_on is None
    assert Acceptance.objects.get(milestone=lot).pending_reservations
    assert due_milestones(entity, anchor) == []  # nothing else is due until the reservations are lifted

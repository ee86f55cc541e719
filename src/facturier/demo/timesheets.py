"""Demo time and expenses: a time-and-materials project billed from its timesheets.

"Cabinet Moreau Avocats" (C0003) has a project with no fixed price. Its rate card has a default rate,
a role rate, a task rate and a person rate; the sales consultant and the administrator log six weeks
of time (counted back from the anchor, never fixed dates), approved by the approver; one travel
expense is re-invoiced with a 10 % markup. Everything older than four weeks is already on a draft
invoice, so the work in progress page shows the recent weeks only.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.parties.models import Customer
from facturier.projects.models import Project
from facturier.timesheets.rates import rate_rule_create, settings_set
from facturier.timesheets.services import entry_decide, entry_submit, expense_create, time_entry_create
from facturier.timesheets.wip import wip_invoice

SEED = 1107
TASKS = ("Audit", "Rédaction", "Réunion", "")


def create_timesheets(entity: LegalEntity, customers: dict[str, Customer], users: dict[Role, Any],
                      anchor: dt.date) -> Project:  # fmt: skip
    admin, sales, approver = (as_actor(users[role]) for role in (Role.ADMIN, Role.SALES, Role.APPROVER))
    rng = random.Random(SEED)
    start = anchor - dt.timedelta(weeks=6, days=anchor.weekday())
    project = Project.objects.create(entity=entity, customer=customers["C0003"], reference="REGIE-01",
                                     name="Mise en conformité RGPD (régie)", start_date=start)  # fmt: skip
    settings_set(entity=entity, by=admin, rounding_minutes=15, expense_markup_percent=Decimal(0))
    rate_rule_create(entity=entity, by=admin, hourly_rate=Decimal("95.00"), project=project)
    rate_rule_create(entity=entity, by=admin, hourly_rate=Decimal("120.00"), role="Senior")
    rate_rule_create(entity=entity, by=admin, hourly_rate=Decimal("135.00"), task="Audit")
    rate_rule_create(entity=entity, by=admin, hourly_rate=Decimal("110.00"), person=users[Role.SALES])
    day = start
    while day < anchor:
        if day.weekday() < 5:
            for person, actor, role in ((users[Role.SALES], sales, ""), (users[Role.ADMIN], admin, "Senior")):
                if rng.random() < 0.6:
                    entry = time_entry_create(
                        entity=entity, project=project, person=person, by=actor, date=day, role=role,
                        minutes=rng.choice((35, 50, 90, 120, 185, 240)), task=rng.choice(TASKS),
                        description=rng.choice(("Entretiens", "Cartographie des traitements", "Registre", "Comité")),
                        billable=rng.random() > 0.1,
                    )  # fmt: skip
                    entry_submit(entry=entry, by=actor)
                    if day < anchor - dt.timedelta(days=7):  # the last week still waits for approval
                        entry_decide(entry=entry, by=approver, approve=True)
        day += dt.timedelta(days=1)
    expense = expense_create(entity=entity, project=project, person=users[Role.SALES], by=sales,
                             date=anchor - dt.timedelta(days=10), category="travel", amount=Decimal("184.60"),
                             vat_amount=Decimal("18.46"), markup_percent=Decimal(10),
                             description="Train Lyon – Paris aller-retour")  # fmt: skip
    entry_submit(entry=expense, by=sales)
    entry_decide(entry=expense, by=approver, approve=True)
    wip_invoice(project=project, by=as_actor(users[Role.ACCOUNTANT]), up_to=anchor - dt.timedelta(weeks=4))
    return project

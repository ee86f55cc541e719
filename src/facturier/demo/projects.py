"""The demo's fixed-price project: a 30 % deposit invoiced at signing, a milestone reached by progress
and invoiced, one delivered and accepted with reservations (waiting for them to be lifted), and the
balance due at go-live. Dates count back from the anchor (today in the entity's time zone); the invoices
are issued on the anchor, after the history, so the numbering stays in date order, and through the
history's own issuing (approval, sending, platform statuses)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from facturier.accounts.models import LegalEntity
from facturier.demo.history import Actors, HistoryWriter
from facturier.parties.models import Customer
from facturier.projects.billing import claim_and_draft
from facturier.projects.models import MilestoneKind, Project, Trigger
from facturier.projects.services import deliverable_accept, milestone_add, progress_record, project_create


def create_projects(
    entity: LegalEntity, customers: dict[str, Customer], actors: Actors, anchor: dt.date
) -> Project:
    customer = next(c for _code, c in sorted(customers.items()) if c.kind == "business")
    by = actors.sales
    project = project_create(
        entity=entity, customer=customer, by=by, reference=f"PRJ-{anchor:%Y}-001", name="Refonte du portail client",
        start_date=anchor - dt.timedelta(days=60), end_date=anchor + dt.timedelta(days=45),
        fixed_price=Decimal("48000.00"), deposit_percent=Decimal(30), currency=entity.default_currency,
        phases=["Conception", "Réalisation", "Mise en production"],
    )  # fmt: skip
    design, build, golive = list(project.phases.all())
    mockups = milestone_add(project=project, by=by, kind=MilestoneKind.INSTALMENT, label="Maquettes validées",
                            percent=Decimal(20), trigger=Trigger.PROGRESS, progress_threshold=Decimal(100),
                            phase=design)  # fmt: skip
    lot = milestone_add(project=project, by=by, kind=MilestoneKind.INSTALMENT, label="Livraison du lot 1",
                        percent=Decimal(30), trigger=Trigger.ACCEPTANCE, deliverable="Lot 1 — espace client",
                        phase=build)  # fmt: skip
    milestone_add(project=project, by=by, kind=MilestoneKind.BALANCE, label="Solde à la mise en production",
                  trigger=Trigger.ACCEPTANCE, deliverable="Portail en production", phase=golive)  # fmt: skip
    progress_record(
        project=project, by=by, percent=Decimal(100), phase=design, day=anchor - dt.timedelta(days=20)
    )
    progress_record(
        project=project, by=by, percent=Decimal(60), phase=build, day=anchor - dt.timedelta(days=2)
    )
    progress_record(project=project, by=by, percent=Decimal(55), day=anchor - dt.timedelta(days=2))
    deliverable_accept(milestone=lot, by=by, signed_by=customer.name, accepted_on=anchor - dt.timedelta(days=3),
                       reservations="Export PDF des factures à corriger ; lenteur de la recherche.")  # fmt: skip
    history = HistoryWriter(
        entity, customers, {}, actors, anchor
    )  # issued, sent and tracked as the history's
    for milestone in (project.milestones.get(kind=MilestoneKind.DEPOSIT), mockups):
        draft = claim_and_draft(milestone, anchor, by)
        assert draft is not None  # noqa: S101 - a new project's milestones are unbilled
        history._issue(draft, anchor)  # noqa: SLF001 - the demo's one way to issue an invoice
    return project

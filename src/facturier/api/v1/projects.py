"""`/api/v1/projects`: fixed-price projects, their milestones, progress and acceptance reports (the
`projects` scope). Invoicing a milestone also creates an invoice, so it needs `invoices:write` too.

A milestone's share is ``percent`` (of the fixed price) or ``amount``; shares beyond the fixed price
are refused (422 ``shares_exceed_fixed_price``, or ``deposits_exceed_balance``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.common.errors import NotFound
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer
from facturier.projects import selectors, services
from facturier.projects.billing import milestone_bill, milestone_net
from facturier.projects.models import Acceptance, Milestone, Project
from facturier.projects.triggers import is_reached

router = Router(tags=["projects"])


class PhaseOut(Schema):
    id: uuid.UUID
    name: str
    progress: Decimal


class MilestoneOut(Schema):
    id: uuid.UUID
    kind: str
    label: str
    phase: uuid.UUID | None
    percent: Decimal | None
    amount: Decimal = Field(description="excluding VAT; for the balance, what the other milestones leave")
    trigger: str
    due_date: dt.date | None
    progress_threshold: Decimal | None
    deliverable: str
    reached_on: dt.date | None
    reached: bool
    invoice: uuid.UUID | None

    @staticmethod
    def resolve_phase(milestone: Milestone) -> uuid.UUID | None:
        return milestone.phase_id

    @staticmethod
    def resolve_amount(milestone: Milestone) -> Decimal:
        return milestone_net(milestone)

    @staticmethod
    def resolve_reached(milestone: Milestone) -> bool:
        return is_reached(milestone, entity_today(milestone.entity))

    @staticmethod
    def resolve_invoice(milestone: Milestone) -> uuid.UUID | None:
        return milestone.invoice_id


class ProjectOut(Schema):
    id: uuid.UUID
    reference: str
    name: str
    customer: uuid.UUID
    currency: str
    fixed_price: Decimal | None
    start_date: dt.date
    end_date: dt.date | None
    status: str
    progress: Decimal
    vat_rate: Decimal
    phases: list[PhaseOut] = []
    milestones: list[MilestoneOut] = []

    @staticmethod
    def resolve_customer(project: Project) -> uuid.UUID:
        return project.customer_id

    @staticmethod
    def resolve_phases(project: Project) -> list[Any]:
        return list(project.phases.all())

    @staticmethod
    def resolve_milestones(project: Project) -> list[Any]:
        return list(project.milestones.select_related("entity", "project").order_by("position", "created_at"))


class ProjectsOut(Schema):
    items: list[ProjectOut]


class ProjectIn(Schema):
    reference: str = Field(max_length=50)
    name: str = Field(max_length=200)
    customer: uuid.UUID
    start_date: dt.date = Field(description="the signing date: the deposit, if any, is due that day")
    end_date: dt.date | None = None
    fixed_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    currency: str | None = Field(None, max_length=3)
    vat_rate: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    deposit_percent: Decimal | None = Field(None, gt=0, le=100, max_digits=5, decimal_places=2)
    phases: list[str] = Field([], max_length=50)


class MilestoneIn(Schema):
    kind: Literal["deposit", "instalment", "balance"]
    label: str = Field(max_length=200)
    trigger: Literal["date", "progress", "acceptance"]
    percent: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    amount: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    due_date: dt.date | None = None
    progress_threshold: Decimal | None = Field(None, max_digits=5, decimal_places=2)
    deliverable: str = Field("", max_length=200)
    phase: uuid.UUID | None = None


class ProgressIn(Schema):
    percent: Decimal = Field(max_digits=5, decimal_places=2)
    phase: uuid.UUID | None = None
    day: dt.date | None = None


class AcceptanceIn(Schema):
    signed_by: str = Field(max_length=200)
    accepted_on: dt.date | None = None
    reservations: str = Field("", max_length=5000)


class AcceptanceOut(Schema):
    id: uuid.UUID
    milestone: uuid.UUID
    accepted_on: dt.date
    signed_by: str
    reservations: str
    reservations_lifted_on: dt.date | None

    @staticmethod
    def resolve_milestone(acceptance: Acceptance) -> uuid.UUID:
        return acceptance.milestone_id


class InvoiceRef(Schema):
    id: uuid.UUID
    number: str
    type_code: str
    status: str
    tax_exclusive: Decimal
    prepaid: Decimal
    payable: Decimal


def _project(request: HttpRequest, pk: uuid.UUID) -> Project:
    return selectors.project_get(entity=entity_of(request), pk=pk)


def _phase(project: Project, pk: uuid.UUID | None) -> Any:
    if pk is None:
        return None
    phase = project.phases.filter(pk=pk).first()
    if phase is None:
        raise NotFound(_("Unknown phase."), field="phase")
    return phase


@router.get("/projects", response=ProjectsOut, operation_id="projects_list")
def projects_list(request: HttpRequest) -> dict[str, Any]:
    require_scope(request, "projects:read")
    return {"items": list(selectors.projects_of(entity=entity_of(request))[:500])}


@router.post("/projects", response={201: ProjectOut}, operation_id="projects_create")
def projects_create(request: HttpRequest, payload: ProjectIn) -> Status[Project]:
    key = require_scope(request, "projects:write")
    entity = entity_of(request)
    customer = Customer.objects.filter(entity=entity, pk=payload.customer).first()
    if customer is None:
        raise NotFound(_("Unknown customer."), field="customer", code="unknown_customer")
    values = payload.model_dump(exclude={"customer"})
    project = services.project_create(entity=entity, customer=customer, by=as_actor(key), **values)
    return Status(201, project)


@router.get("/projects/{project_id}", response=ProjectOut, operation_id="projects_get")
def projects_get(request: HttpRequest, project_id: uuid.UUID) -> Project:
    require_scope(request, "projects:read")
    return _project(request, project_id)


@router.post(
    "/projects/{project_id}/milestones", response={201: MilestoneOut}, operation_id="projects_milestone_add"
)
def projects_milestone_add(
    request: HttpRequest, project_id: uuid.UUID, payload: MilestoneIn
) -> Status[Milestone]:
    key = require_scope(request, "projects:write")
    project = _project(request, project_id)
    values = payload.model_dump(exclude={"phase"})
    milestone = services.milestone_add(
        project=project, by=as_actor(key), phase=_phase(project, payload.phase), **values
    )
    return Status(201, milestone)


@router.post(
    "/projects/{project_id}/progress", response={201: ProjectOut}, operation_id="projects_progress_record"
)
def projects_progress_record(
    request: HttpRequest, project_id: uuid.UUID, payload: ProgressIn
) -> Status[Project]:
    key = require_scope(request, "projects:write")
    project = _project(request, project_id)
    services.progress_record(project=project, by=as_actor(key), percent=payload.percent,
                             phase=_phase(project, payload.phase), day=payload.day)  # fmt: skip
    return Status(201, selectors.project_get(entity=project.entity, pk=project.pk))


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/acceptance", response={201: AcceptanceOut},
    operation_id="projects_deliverable_accept",
)  # fmt: skip
def projects_deliverable_accept(
    request: HttpRequest, project_id: uuid.UUID, milestone_id: uuid.UUID, payload: AcceptanceIn
) -> Status[Acceptance]:
    """Record the acceptance report (PV de réception); with reservations, the milestone waits until lifted."""
    key = require_scope(request, "projects:write")
    milestone = selectors.milestone_get(project=_project(request, project_id), pk=milestone_id)
    acceptance = services.deliverable_accept(milestone=milestone, by=as_actor(key), **payload.model_dump())
    return Status(201, acceptance)


@router.post(
    "/projects/{project_id}/acceptances/{acceptance_id}/lift", response=AcceptanceOut,
    operation_id="projects_reservations_lift",
)  # fmt: skip
def projects_reservations_lift(
    request: HttpRequest, project_id: uuid.UUID, acceptance_id: uuid.UUID
) -> Acceptance:
    key = require_scope(request, "projects:write")
    acceptance = selectors.acceptance_get(project=_project(request, project_id), pk=acceptance_id)
    return services.reservations_lift(acceptance=acceptance, by=as_actor(key))


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/invoice", response={201: InvoiceRef},
    operation_id="projects_milestone_invoice",
)  # fmt: skip
def projects_milestone_invoice(
    request: HttpRequest, project_id: uuid.UUID, milestone_id: uuid.UUID
) -> Status[Any]:
    """Invoice a reached milestone now: issued, or a draft to approve when the company requires approval."""
    key = require_scope(request, "projects:write")
    require_scope(request, "invoices:write")
    milestone = selectors.milestone_get(project=_project(request, project_id), pk=milestone_id)
    return Status(201, milestone_bill(milestone=milestone, by=as_actor(key)))

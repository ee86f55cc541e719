"""Writes on projects: create, phases, milestones, progress, acceptances. One transaction each, audited.

Billing a milestone is in `projects.billing` (the billing-run source and the "bill now" button share it).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.money import InvalidCurrency, validate_currency
from facturier.domain.projects.shares import (
    HUNDRED,
    Share,
    ShareKind,
    SharesExceeded,
    check_shares,
    share_amount,
)
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer
from facturier.projects import errors
from facturier.projects.models import (
    Acceptance,
    Milestone,
    MilestoneKind,
    Phase,
    ProgressReport,
    Project,
    Trigger,
)

RESOURCE = "projects"


def project_state(project: Project) -> dict[str, Any]:
    return {
        "reference": project.reference, "customer": str(project.customer_id), "status": project.status,
        "fixed_price": project.fixed_price, "currency": project.currency, "progress": project.progress,
        "start_date": project.start_date, "end_date": project.end_date,
    }  # fmt: skip


def milestone_state(milestone: Milestone) -> dict[str, Any]:
    return {
        "project": milestone.project.reference, "kind": milestone.kind, "label": milestone.label,
        "percent": milestone.percent, "amount": milestone.amount, "trigger": milestone.trigger,
        "due_date": milestone.due_date, "progress_threshold": milestone.progress_threshold,
        "deliverable": milestone.deliverable, "reached_on": milestone.reached_on,
        "invoice": str(milestone.invoice_id) if milestone.invoice_id else None,
    }  # fmt: skip


def _locked(project: Project) -> Project:
    locked: Project = (
        Project.objects.select_for_update().select_related("entity", "customer").get(pk=project.pk)
    )
    return locked


def _check_percent(value: Decimal, field: str) -> None:
    if not Decimal(0) <= value <= HUNDRED:
        raise ValidationFailed(
            _("A percentage is between 0 and 100."), field=field, code=errors.INVALID_PROGRESS
        )


@transaction.atomic
def project_create(
    *,
    entity: LegalEntity,
    customer: Customer,
    by: Actor,
    reference: str,
    name: str,
    start_date: dt.date,
    fixed_price: Decimal | None = None,
    end_date: dt.date | None = None,
    currency: str | None = None,
    vat_rate: Decimal | None = None,
    deposit_percent: Decimal | None = None,
    phases: list[str] = (),  # type: ignore[assignment]
) -> Project:
    """A project; with ``deposit_percent``, its deposit at signing (a 386 invoice due on ``start_date``)."""
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource=RESOURCE)
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer")
    if not reference.strip() or not name.strip():
        raise ValidationFailed(
            _("A project needs a reference and a name."), field="reference", code="required"
        )
    if fixed_price is not None and fixed_price < 0:
        raise ValidationFailed(
            _("The fixed price is not negative."), field="fixed_price", code=errors.INVALID_SHARE
        )
    if end_date is not None and end_date < start_date:
        raise ValidationFailed(_("A project ends after it starts."), field="end_date", code="invalid_dates")
    try:
        currency = validate_currency(currency or customer.currency or entity.default_currency)
    except InvalidCurrency as error:
        raise ValidationFailed(str(error), field="currency", code="invalid_currency") from error
    if Project.objects.filter(entity=entity, reference=reference).exists():
        raise Conflict(_("A project with this reference already exists."), field="reference",
                       code=errors.DUPLICATE_REFERENCE)  # fmt: skip
    project = Project.objects.create(
        entity=entity, customer=customer, reference=reference.strip(), name=name.strip(), start_date=start_date,
        end_date=end_date, fixed_price=fixed_price, currency=currency,
        vat_rate=vat_rate if vat_rate is not None else Decimal("20.00"),
    )  # fmt: skip
    for position, phase in enumerate(phases):
        Phase.objects.create(project=project, name=phase, position=position)
    audit_record(entity=entity, actor=by, action="project.created", obj=project, after=project_state(project))
    if deposit_percent is not None:
        milestone_add(project=project, by=by, kind=MilestoneKind.DEPOSIT, percent=deposit_percent,
                      label=_("Deposit at signing"), trigger=Trigger.DATE, due_date=start_date)  # fmt: skip
    return project


@transaction.atomic
def phase_add(*, project: Project, by: Actor, name: str) -> Phase:
    project = _locked(project)
    authorize(by, Action.EDIT_DOCUMENTS, project.entity, resource=RESOURCE)
    if not name.strip():
        raise ValidationFailed(_("A phase needs a name."), field="name", code="required")
    phase = Phase.objects.create(project=project, name=name.strip(), position=project.phases.count())
    audit_record(entity=project.entity, actor=by, action="project.phase_added", obj=project,
                 after={"phase": phase.name})  # fmt: skip
    return phase


def _share_error(project: Project, error: SharesExceeded, field: str) -> ValidationFailed:
    values = {"excess": error.excess, "price": project.fixed_price, "currency": project.currency}
    if error.kind == ShareKind.DEPOSIT:
        return ValidationFailed(
            _("The deposits would exceed, by %(excess)s %(currency)s, the balance invoice that deducts them.") % values,
            field=field, code=errors.DEPOSITS_EXCEED_BALANCE,
        )  # fmt: skip
    return ValidationFailed(
        _("The milestones would bill %(excess)s %(currency)s more than the fixed price (%(price)s %(currency)s).")
        % values, field=field, code=errors.SHARES_EXCEED_PRICE,
    )  # fmt: skip


def _check_trigger(
    project: Project, trigger: str, due_date: dt.date | None, threshold: Decimal | None, deliverable: str
) -> None:
    if trigger not in Trigger.values:
        raise ValidationFailed(_("Unknown trigger."), field="trigger", code=errors.INVALID_TRIGGER)
    if trigger == Trigger.DATE and due_date is None:
        raise ValidationFailed(
            _("A date milestone needs its due date."), field="due_date", code=errors.INVALID_TRIGGER
        )
    if trigger == Trigger.PROGRESS:
        if threshold is None or not Decimal(0) < threshold <= HUNDRED:
            raise ValidationFailed(_("A progress milestone needs a percentage above 0 and at most 100."),
                                   field="progress_threshold", code=errors.INVALID_TRIGGER)  # fmt: skip
    if trigger == Trigger.ACCEPTANCE and not deliverable.strip():
        raise ValidationFailed(_("An acceptance milestone names its deliverable."), field="deliverable",
                               code=errors.INVALID_TRIGGER)  # fmt: skip


@transaction.atomic
def milestone_add(
    *,
    project: Project,
    by: Actor,
    kind: str,
    label: str,
    trigger: str,
    percent: Decimal | None = None,
    amount: Decimal | None = None,
    due_date: dt.date | None = None,
    progress_threshold: Decimal | None = None,
    deliverable: str = "",
    phase: Phase | None = None,
) -> Milestone:
    """A deposit, instalment or balance milestone; refused when the shares would exceed the fixed price."""
    project = _locked(project)  # two milestones added at once are checked one after the other
    authorize(by, Action.EDIT_DOCUMENTS, project.entity, resource=RESOURCE)
    if project.fixed_price is None:
        raise ValidationFailed(_("Only a fixed-price project is billed by milestones."), field="kind",
                               code=errors.NO_FIXED_PRICE)  # fmt: skip
    if kind not in MilestoneKind.values:
        raise ValidationFailed(_("Unknown milestone kind."), field="kind", code=errors.INVALID_SHARE)
    if not label.strip():
        raise ValidationFailed(_("A milestone needs a label."), field="label", code="required")
    if phase is not None and phase.project_id != project.pk:
        raise ValidationFailed(_("Unknown phase."), field="phase", code="unknown_phase")
    _check_trigger(project, trigger, due_date, progress_threshold, deliverable)
    if kind == MilestoneKind.BALANCE:
        if project.milestones.filter(kind=MilestoneKind.BALANCE).exists():
            raise Conflict(_("A project has one balance milestone."), field="kind", code=errors.INVALID_SHARE)
        percent = amount = None
    else:
        try:
            amount = share_amount(project.fixed_price, percent, amount)
        except ValueError as error:
            raise ValidationFailed(
                _("A share is a percentage (above 0, at most 100) or a positive amount, not both."),
                field="percent" if percent is not None else "amount", code=errors.INVALID_SHARE,
            ) from error  # fmt: skip
        if amount == 0:
            raise ValidationFailed(_("This share of the fixed price bills nothing."), field="percent",
                                   code=errors.INVALID_SHARE)  # fmt: skip
    shares = [Share(ShareKind(m.kind), m.amount or Decimal(0)) for m in project.milestones.all()]
    try:
        check_shares(project.fixed_price, [*shares, Share(ShareKind(kind), amount or Decimal(0))])
    except SharesExceeded as error:
        raise _share_error(project, error, "percent" if percent is not None else "amount") from error
    milestone = Milestone.objects.create(
        entity=project.entity, project=project, phase=phase, kind=kind, label=label.strip(), percent=percent,
        amount=amount, trigger=trigger, due_date=due_date if trigger == Trigger.DATE else None,
        progress_threshold=progress_threshold if trigger == Trigger.PROGRESS else None,
        deliverable=deliverable.strip() if trigger == Trigger.ACCEPTANCE else "",
        position=project.milestones.count(),
    )  # fmt: skip
    audit_record(entity=project.entity, actor=by, action="milestone.added", obj=milestone,
                 after=milestone_state(milestone))  # fmt: skip
    _reach_by_progress(project, entity_today(project.entity), by)  # progress already recorded counts
    return milestone


def _reach(milestone: Milestone, day: dt.date, by: Actor, why: str) -> None:
    before = milestone_state(milestone)
    milestone.reached_on = day
    milestone.save(update_fields=["reached_on", "updated_at"])
    audit_record(entity=milestone.entity, actor=by, action="milestone.reached", obj=milestone,
                 before=before, after={**milestone_state(milestone), "why": why})  # fmt: skip


def _reach_by_progress(project: Project, day: dt.date, by: Actor) -> None:
    """Progress milestones whose threshold the progress (of their phase, else the project's) has reached."""
    waiting = project.milestones.filter(trigger=Trigger.PROGRESS, reached_on__isnull=True).select_related(
        "phase"
    )
    for milestone in waiting:
        progress = milestone.phase.progress if milestone.phase is not None else project.progress
        if milestone.progress_threshold is not None and progress >= milestone.progress_threshold:
            _reach(milestone, day, by, "progress")


@transaction.atomic
def progress_record(
    *, project: Project, by: Actor, percent: Decimal, phase: Phase | None = None, day: dt.date | None = None
) -> ProgressReport:
    """The progress of the project (or of one phase) at ``day``; reaches the milestones it triggers."""
    project = _locked(project)
    authorize(by, Action.EDIT_DOCUMENTS, project.entity, resource=RESOURCE)
    _check_percent(percent, "percent")
    if phase is not None and phase.project_id != project.pk:
        raise ValidationFailed(_("Unknown phase."), field="phase", code="unknown_phase")
    day = day or entity_today(project.entity)
    before = project_state(project)
    target: Project | Phase = phase if phase is not None else project
    target.progress = percent
    target.save(update_fields=["progress", "updated_at"])
    report = ProgressReport.objects.create(project=project, phase=phase, percent=percent, recorded_on=day,
                                           recorded_by=user_and_key(by)[0])  # fmt: skip
    audit_record(entity=project.entity, actor=by, action="project.progress_recorded", obj=project, before=before,
                 after={**project_state(project), "phase": phase.name if phase else None, "percent": percent})  # fmt: skip
    _reach_by_progress(project, day, by)
    return report


def _locked_milestone(milestone: Milestone) -> Milestone:
    locked: Milestone = (
        Milestone.objects.select_for_update().select_related("project", "entity", "project__customer")
        .get(pk=milestone.pk)
    )  # fmt: skip
    return locked


@transaction.atomic
def milestone_reached(*, milestone: Milestone, by: Actor, day: dt.date | None = None) -> Milestone:
    """Mark a milestone reached by hand (a date brought forward, a progress agreed with the customer)."""
    milestone = _locked_milestone(milestone)
    authorize(by, Action.EDIT_DOCUMENTS, milestone.entity, resource=RESOURCE)
    if milestone.reached_on is not None:
        raise Conflict(_("This milestone is already reached."), field="milestone", code="already_reached")
    _reach(milestone, day or entity_today(milestone.entity), by, "by_hand")
    return milestone


@transaction.atomic
def deliverable_accept(
    *,
    milestone: Milestone,
    by: Actor,
    signed_by: str,
    accepted_on: dt.date | None = None,
    reservations: str = "",
) -> Acceptance:
    """Record the acceptance report of a milestone's deliverable. Without reservations it reaches the
    milestone; with reservations it is recorded and the milestone waits until they are lifted."""
    milestone = _locked_milestone(milestone)
    authorize(by, Action.EDIT_DOCUMENTS, milestone.entity, resource=RESOURCE)
    if milestone.trigger != Trigger.ACCEPTANCE:
        raise ValidationFailed(_("This milestone is not triggered by a deliverable's acceptance."),
                               field="milestone", code=errors.NOT_A_DELIVERABLE)  # fmt: skip
    if not signed_by.strip():
        raise ValidationFailed(_("Say who signed the acceptance report."), field="signed_by", code="required")
    day = accepted_on or entity_today(milestone.entity)
    acceptance = Acceptance.objects.create(milestone=milestone, accepted_on=day, signed_by=signed_by.strip(),
                                           reservations=reservations.strip(), recorded_by=user_and_key(by)[0])  # fmt: skip
    audit_record(entity=milestone.entity, actor=by, action="deliverable.accepted", obj=acceptance,
                 after={"milestone": milestone.label, "deliverable": milestone.deliverable, "accepted_on": day,
                        "signed_by": acceptance.signed_by, "reservations": acceptance.reservations})  # fmt: skip
    if not acceptance.reservations and milestone.reached_on is None:
        _reach(milestone, day, by, "accepted")
    return acceptance


@transaction.atomic
def reservations_lift(*, acceptance: Acceptance, by: Actor, day: dt.date | None = None) -> Acceptance:
    """The reservations of an acceptance are lifted: its milestone is reached that day."""
    acceptance = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    milestone = _locked_milestone(acceptance.milestone)
    authorize(by, Action.EDIT_DOCUMENTS, milestone.entity, resource=RESOURCE)
    if not acceptance.pending_reservations:
        raise Conflict(_("This acceptance has no reservations to lift."), field="acceptance",
                       code=errors.NO_RESERVATIONS)  # fmt: skip
    day = day or entity_today(milestone.entity)
    acceptance.reservations_lifted_on = day
    acceptance.save(update_fields=["reservations_lifted_on", "updated_at"])
    audit_record(entity=milestone.entity, actor=by, action="deliverable.reservations_lifted", obj=acceptance,
                 after={"milestone": milestone.label, "lifted_on": day})  # fmt: skip
    if milestone.reached_on is None:
        _reach(milestone, day, by, "reservations_lifted")
    return acceptance

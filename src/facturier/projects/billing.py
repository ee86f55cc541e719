"""Billing a milestone: its draft invoice, the billing-run source, and the "bill now" button.

A deposit becomes a deposit invoice (UNTDID 1001 type 386) for its share; an instalment a commercial
invoice (380) for its share; the balance a 380 invoice for what the instalments left of the fixed price,
deducting every deposit invoice of the project through the invoicing chain (`document_create(deposits=)`
sets `Document.deposits` and `prepaid`, BT-113), so the customer pays the balance less the deposits.

Exactly once: `_claim` locks the milestone's row in the caller's transaction and gives up when it already
has its invoice; the invoice is written to the milestone (a unique, nullable column) in that same
transaction. A second run waiting on the lock reads the invoice once the first commits and bills nothing;
a run resumed after a crash finds either the invoice (committed) or nothing (rolled back).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import cast

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.billing.sources import PendingBill
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.projects.shares import Share, ShareKind, balance_amount
from facturier.invoicing.models import Document, TypeCode
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.invoicing.services.common import entity_today
from facturier.projects import errors
from facturier.projects.models import Milestone, MilestoneKind
from facturier.projects.services import RESOURCE, milestone_state
from facturier.projects.triggers import is_reached

SOURCE_KEY = "milestones"


def milestone_net(milestone: Milestone) -> Decimal:
    """What the milestone's invoice bills excluding VAT (before any deposit is deducted)."""
    if milestone.kind != MilestoneKind.BALANCE:
        return milestone.amount or Decimal(0)
    project = milestone.project
    shares = [Share(ShareKind(m.kind), m.amount or Decimal(0)) for m in project.milestones.all()]
    return balance_amount(project.fixed_price or Decimal(0), shares)


def _deposits_of(milestone: Milestone) -> list[Document]:
    """The project's issued deposit invoices, which the balance deducts; refused while one is missing."""
    found = []
    for deposit in milestone.project.milestones.filter(kind=MilestoneKind.DEPOSIT).select_related("invoice"):
        if deposit.invoice is None or not deposit.invoice.is_sealed:
            raise Conflict(
                _("The deposit “%(label)s” must be invoiced and issued before the balance.") % {"label": deposit.label},
                field="milestone", code=errors.DEPOSIT_NOT_ISSUED,
            )  # fmt: skip
        found.append(deposit.invoice)
    return found


def _draft(milestone: Milestone, by: Actor) -> Document:
    project = milestone.project
    amount = milestone_net(milestone)
    share = f"{milestone.percent.normalize():f} %" if milestone.percent is not None else ""
    description = _("Project %(reference)s — %(label)s") % {
        "reference": project.reference,
        "label": milestone.label,
    }
    if share:
        description += f" ({share})"
    if milestone.kind == MilestoneKind.BALANCE:
        description = _("Project %(reference)s — balance: fixed price %(price)s less the milestones invoiced") % {
            "reference": project.reference, "price": project.fixed_price}  # fmt: skip
    deposits = _deposits_of(milestone) if milestone.kind == MilestoneKind.BALANCE else []
    line = LineData(description=description, quantity=Decimal(1), unit_price=amount,
                    vat_category=project.vat_category, vat_rate=project.vat_rate)  # fmt: skip
    return document_create(
        entity=project.entity, kind="invoice", customer=project.customer, by=by, lines=[line],
        type_code=TypeCode.DEPOSIT if milestone.kind == MilestoneKind.DEPOSIT else TypeCode.COMMERCIAL,
        deposits=deposits, currency=project.currency,
        note=_("Project %(reference)s: %(name)s") % {"reference": project.reference, "name": project.name},
    )  # fmt: skip


def claim_and_draft(milestone: Milestone, day: dt.date, by: Actor) -> Document | None:
    """Claim ``milestone`` and create its draft invoice in the caller's transaction; None when already billed.

    Raises when it is not reached at ``day`` (a date in the entity's calendar) or cannot be billed yet."""
    locked: Milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("project", "project__customer", "entity")
        .get(pk=milestone.pk)
    )  # fmt: skip
    if locked.invoice_id is not None:
        return None
    if not is_reached(locked, day):
        raise Conflict(_("This milestone is not reached yet."), field="milestone", code=errors.NOT_REACHED)
    if milestone_net(locked) <= 0:
        raise ValidationFailed(_("This milestone has nothing left to bill."), field="milestone",
                               code=errors.INVALID_SHARE)  # fmt: skip
    before = milestone_state(locked)
    locked.invoice = _draft(locked, by)
    locked.reached_on = locked.reached_on or day
    locked.save(update_fields=["invoice", "reached_on", "updated_at"])
    audit_record(entity=locked.entity, actor=by, action="milestone.billed", obj=locked, before=before,
                 after=milestone_state(locked))  # fmt: skip
    return locked.invoice


@transaction.atomic
def milestone_bill(*, milestone: Milestone, by: Actor) -> Document:
    """Bill a reached milestone now (the project page's button): its invoice is created and issued, or left
    as a draft to approve when the company requires approval."""
    authorize(by, Action.ISSUE, milestone.entity, resource=RESOURCE)
    document = claim_and_draft(milestone, entity_today(milestone.entity), by)
    if document is None:
        raise Conflict(
            _("This milestone is already invoiced."), field="milestone", code=errors.ALREADY_BILLED
        )
    if milestone.entity.requires_approval:
        return document
    return invoice_issue(invoice=document, by=by)


ORDER = {MilestoneKind.DEPOSIT: 0, MilestoneKind.INSTALMENT: 1, MilestoneKind.BALANCE: 2}


def due_milestones(entity: LegalEntity, day: dt.date) -> list[Milestone]:
    """Milestones reached at ``day`` and not invoiced, deposits first and balances last (a balance deducts
    the deposits, which must be issued first)."""
    found = [
        m for m in Milestone.objects.filter(entity=entity, invoice__isnull=True, project__fixed_price__isnull=False)
        .select_related("project", "project__customer")
        if is_reached(m, day)
    ]  # fmt: skip
    return sorted(found, key=lambda m: (ORDER[MilestoneKind(m.kind)], m.project.reference, m.position))


class MilestoneSource:
    """The billing-run source of project milestones (registered by `ProjectsConfig.ready`)."""

    key = SOURCE_KEY
    label = cast(str, gettext_lazy("Project milestones"))

    def pending(self, entity: LegalEntity, day: dt.date) -> Iterable[PendingBill]:
        for milestone in due_milestones(entity, day):
            yield PendingBill(
                source=self.key, key=str(milestone.pk), customer=milestone.project.customer.name,
                description=f"{milestone.project.reference} — {milestone.label}",
                net_amount=milestone_net(milestone), currency=milestone.project.currency, payload=milestone.pk,
            )  # fmt: skip

    def bill(self, pending: PendingBill, *, day: dt.date, by: Actor) -> Document | None:
        return claim_and_draft(Milestone.objects.get(pk=pending.key), day, by)

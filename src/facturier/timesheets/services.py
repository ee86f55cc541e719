"""Writes on time entries and expenses: record, submit, approve, reject. One transaction each, audited.

Nobody approves what they worked, recorded or submitted (`authorize` compares the approver with the
entry's `authors()`): an approval is a manager's second pair of eyes.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor, as_actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.money import InvalidCurrency, validate_currency
from facturier.domain.timesheets.valuation import InvalidMarkup, with_markup
from facturier.projects.models import Project
from facturier.timesheets import errors
from facturier.timesheets.models import EntryStatus, Expense, ExpenseCategory, TimeEntry
from facturier.timesheets.receipts import checked_receipt, max_bytes

MAX_MINUTES_PER_ENTRY = 24 * 60
Entry = TimeEntry | Expense


def state_of(entry: Entry) -> dict[str, Any]:
    state: dict[str, Any] = {
        "project": str(entry.project_id), "person": str(entry.person_id), "date": entry.date,
        "status": entry.status, "billable": entry.billable,
    }  # fmt: skip
    if isinstance(entry, TimeEntry):
        state |= {"minutes": entry.minutes, "task": entry.task, "role": entry.role}
    else:
        state |= {"amount": str(entry.amount), "currency": entry.currency, "category": entry.category}
    return state


def _check_project(entity: LegalEntity, project: Project) -> None:
    if project.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown project."), field="project", code=errors.UNKNOWN_PROJECT)


def _check_person(entity: LegalEntity, person: Any) -> None:
    if person is None or not Membership.objects.filter(entity=entity, user=person).exists():
        raise ValidationFailed(
            _("The person is not a member of this company."), field="person", code=errors.UNKNOWN_PERSON
        )


@transaction.atomic
def time_entry_create(
    *,
    entity: LegalEntity,
    project: Project,
    person: Any,
    by: Actor,
    date: dt.date,
    minutes: int,
    task: str = "",
    role: str = "",
    description: str = "",
    billable: bool = True,
    import_key: str | None = None,
) -> TimeEntry:
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="time_entries")
    _check_project(entity, project)
    _check_person(entity, person)
    if not 0 < minutes <= MAX_MINUTES_PER_ENTRY:
        raise ValidationFailed(_("A time entry lasts between 1 minute and 24 hours."), field="minutes",
                               code=errors.INVALID_DURATION)  # fmt: skip
    entry = TimeEntry.objects.create(
        entity=entity, project=project, person=person, date=date, minutes=minutes, task=task.strip(),
        role=role.strip(), description=description.strip(), billable=billable,
        created_by_ref=as_actor(by).ref or "", import_key=import_key,
    )  # fmt: skip
    audit_record(entity=entity, actor=by, action="time_entry.created", obj=entry, after=state_of(entry))
    return entry


@transaction.atomic
def expense_create(
    *,
    entity: LegalEntity,
    project: Project,
    person: Any,
    by: Actor,
    date: dt.date,
    category: str,
    amount: Decimal,
    vat_amount: Decimal = Decimal(0),
    currency: str | None = None,
    description: str = "",
    markup_percent: Decimal | None = None,
    billable: bool = True,
    receipt: bytes | None = None,
) -> Expense:
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="expenses")
    _check_project(entity, project)
    _check_person(entity, person)
    if category not in ExpenseCategory.values:
        raise ValidationFailed(_("Unknown expense category."), field="category", code="invalid_choice")
    if amount < 0 or vat_amount < 0 or amount.as_tuple().exponent < -2 or vat_amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationFailed(_("Amounts are not negative and have at most 2 decimals."), field="amount",
                               code="invalid_amount")  # fmt: skip
    try:
        currency = validate_currency(currency or project.currency)
    except InvalidCurrency as error:
        raise ValidationFailed(str(error), field="currency", code="invalid_currency") from error
    if currency != project.currency:
        raise ValidationFailed(_("An expense is re-invoiced in the project's currency (%(currency)s).")
                               % {"currency": project.currency}, field="currency",
                               code=errors.CURRENCY_MISMATCH)  # fmt: skip
    if markup_percent is not None:
        try:
            with_markup(Decimal(0), markup_percent)
        except InvalidMarkup as error:
            raise ValidationFailed(_("A markup is a percentage between 0 and 1000."), field="markup_percent",
                                   code=errors.INVALID_MARKUP) from error  # fmt: skip
    expense = Expense(
        entity=entity, project=project, person=person, date=date, category=category, amount=amount,
        vat_amount=vat_amount, currency=currency, description=description.strip(), markup_percent=markup_percent,
        billable=billable, created_by_ref=as_actor(by).ref or "",
    )  # fmt: skip
    if receipt is not None:
        expense.receipt_type, expense.receipt_sha256 = checked_receipt(receipt)
        expense.receipt.save("receipt", ContentFile(receipt), save=False)
    expense.save()
    audit_record(entity=entity, actor=by, action="expense.created", obj=expense, after=state_of(expense))
    return expense


def checked_receipt_limit() -> int:
    """The receipt size limit, for an edge that can refuse an upload before reading it."""
    return max_bytes()


def receipt_too_large() -> ValidationFailed:
    return ValidationFailed(_("The receipt is larger than %(size)s MB.") % {"size": max(max_bytes() // 1048576, 1)},
                            field="receipt", code=errors.RECEIPT_TOO_LARGE)  # fmt: skip


def _locked(entry: Entry) -> Entry:
    locked: Entry = type(entry).objects.select_for_update().select_related("entity").get(pk=entry.pk)
    return locked


def _prefix(entry: Entry) -> str:
    return "time_entry" if isinstance(entry, TimeEntry) else "expense"


@transaction.atomic
def entry_submit(*, entry: Entry, by: Actor) -> Entry:
    """Draft or rejected -> submitted: the person (or whoever recorded it) asks for approval."""
    entry = _locked(entry)
    authorize(by, Action.SUBMIT, entry.entity, resource=entry.scope_resource())
    if entry.status not in (EntryStatus.DRAFT, EntryStatus.REJECTED):
        raise Conflict(_("Only a draft or rejected entry is submitted."), code=errors.INVALID_STATUS)
    before = state_of(entry)
    entry.status, entry.submitted_by_ref, entry.rejection_reason = (
        EntryStatus.SUBMITTED,
        as_actor(by).ref or "",
        "",
    )
    entry.save(update_fields=["status", "submitted_by_ref", "rejection_reason", "updated_at"])
    audit_record(entity=entry.entity, actor=by, action=f"{_prefix(entry)}.submitted", obj=entry, before=before,
                 after=state_of(entry))  # fmt: skip
    return entry


@transaction.atomic
def entry_decide(*, entry: Entry, by: Actor, approve: bool, reason: str = "") -> Entry:
    """Submitted -> approved, or -> rejected with a reason; never by the entry's own author."""
    entry = _locked(entry)
    authorize(by, Action.APPROVE, entry.entity, subject=entry)
    if entry.status != EntryStatus.SUBMITTED:
        raise Conflict(_("Only a submitted entry is approved or rejected."), code=errors.INVALID_STATUS)
    if not approve and not reason.strip():
        raise ValidationFailed(_("Say why the entry is rejected."), field="reason", code="required")
    before = state_of(entry)
    entry.status = EntryStatus.APPROVED if approve else EntryStatus.REJECTED
    entry.rejection_reason = "" if approve else reason.strip()[:300]
    entry.decided_by, entry.decided_at = as_actor(by).user, timezone.now()
    entry.save(update_fields=["status", "rejection_reason", "decided_by", "decided_at", "updated_at"])
    verb = "approved" if approve else "rejected"
    audit_record(entity=entry.entity, actor=by, action=f"{_prefix(entry)}.{verb}", obj=entry, before=before,
                 after=state_of(entry) | ({} if approve else {"reason": entry.rejection_reason}))  # fmt: skip
    return entry

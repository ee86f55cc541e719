"""`/api/v1/time-entries` and `/api/v1/expenses`: list, read, record, submit, approve, reject.

Scopes `time_entries:read|write|approve` and `expenses:read|write|approve` (the approve scope is its
own: a key that records time cannot approve it). Rules live in `timesheets.services`; a date left out
is today in the company's time zone. A receipt is sent as base64 (`receipt_base64`); it must be a PDF,
JPEG or PNG by its bytes, within the size limit.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import BaseAmountIn, CurrencyIn, DateIn, DecimalOut, required_text, text
from facturier.common.errors import NotFound, ValidationFailed
from facturier.domain.timesheets.rounding import InvalidDuration, minutes_from_hours
from facturier.invoicing.services.common import entity_today
from facturier.projects.models import Project
from facturier.timesheets import services
from facturier.timesheets.models import Expense, ExpenseCategory, TimeEntry
from facturier.timesheets.receipts import max_bytes

router = Router(tags=["time and expenses"])
StatusIn = Literal["draft", "submitted", "approved", "rejected"]
CategoryIn = Literal["travel", "accommodation", "meals", "supplies", "other"]


class TimeEntryIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: uuid.UUID
    person: int | None = Field(None, description="a member's user id (or `person_username`)")
    person_username: text(150) = ""  # type: ignore[valid-type]
    date: DateIn | None = Field(None, description="default: today in the company's time zone")
    minutes: int | None = Field(None, ge=1, le=24 * 60)
    hours: BaseAmountIn | None = Field(None, description="instead of minutes, e.g. 1.25")
    task: text(100) = ""  # type: ignore[valid-type]
    role: text(100) = ""  # type: ignore[valid-type]
    description: text(500) = ""  # type: ignore[valid-type]
    billable: StrictBool = True
    submit: StrictBool = Field(False, description="submit for approval at once")


class ExpenseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    project: uuid.UUID
    person: int | None = None
    person_username: text(150) = ""  # type: ignore[valid-type]
    date: DateIn | None = None
    category: CategoryIn
    amount: BaseAmountIn = Field(description="excluding VAT")
    vat_amount: BaseAmountIn = Decimal(0)
    currency: CurrencyIn | None = Field(None, description="the project's currency (default)")
    description: text(500) = ""  # type: ignore[valid-type]
    markup_percent: BaseAmountIn | None = Field(None, description="empty: the company's default; 0: at cost")
    billable: StrictBool = True
    receipt_base64: str | None = Field(None, description="PDF, JPEG or PNG, base64")
    submit: StrictBool = False


class TimeRejectIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: required_text(300)  # type: ignore[valid-type]


class _EntryOut(Schema):
    id: uuid.UUID
    project: uuid.UUID
    project_reference: str
    person: int | None
    person_username: str
    date: dt.date
    description: str
    billable: bool
    status: str
    rejection_reason: str
    invoice: uuid.UUID | None
    created_at: dt.datetime

    @staticmethod
    def resolve_project(obj: Any) -> uuid.UUID:
        return obj.project_id  # type: ignore[no-any-return]

    @staticmethod
    def resolve_project_reference(obj: Any) -> str:
        return obj.project.reference  # type: ignore[no-any-return]

    @staticmethod
    def resolve_person(obj: Any) -> Any:
        return obj.person_id

    @staticmethod
    def resolve_person_username(obj: Any) -> str:
        return obj.person.get_username()  # type: ignore[no-any-return]

    @staticmethod
    def resolve_invoice(obj: Any) -> uuid.UUID | None:
        return obj.invoice_id  # type: ignore[no-any-return]


class TimeEntryOut(_EntryOut):
    minutes: int
    task: str
    role: str


class ExpenseOut(_EntryOut):
    category: str
    amount: DecimalOut
    vat_amount: DecimalOut
    currency: str
    markup_percent: DecimalOut | None
    receipt_type: str
    receipt_sha256: str


class TimeEntryPageOut(Schema):
    items: list[TimeEntryOut]
    next: str | None = None


class ExpensePageOut(Schema):
    items: list[ExpenseOut]
    next: str | None = None


class Filters(Schema):
    project: uuid.UUID | None = None
    person: int | None = None
    status: StatusIn | None = None
    date_from: DateIn | None = None
    date_to: DateIn | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def _project(entity: LegalEntity, pk: uuid.UUID) -> Project:
    project: Project | None = Project.objects.filter(entity=entity, pk=pk).select_related("customer").first()
    if project is None:
        raise ValidationFailed(_("Unknown project."), field="project", code="unknown_project")
    return project


def _person(entity: LegalEntity, pk: int | None, username: str) -> Any:
    members = get_user_model().objects.filter(memberships__entity=entity)
    person = (
        members.filter(pk=pk).first()
        if pk
        else members.filter(username=username).first()
        if username
        else None
    )
    if person is None:
        raise ValidationFailed(_("The person is not a member of this company."), field="person",
                               code="unknown_person")  # fmt: skip
    return person


def _filtered(queryset: Any, entity: LegalEntity, filters: Filters) -> Any:
    queryset = queryset.filter(entity=entity).select_related("project", "person")
    for name in ("project", "person", "status"):
        if getattr(filters, name):
            queryset = queryset.filter(**{name: getattr(filters, name)})
    if filters.date_from:
        queryset = queryset.filter(date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(date__lte=filters.date_to)
    return queryset


def _get(model: Any, request: HttpRequest, pk: uuid.UUID) -> Any:
    found = model.objects.filter(entity=entity_of(request), pk=pk).select_related("project", "person").first()
    if found is None:
        raise NotFound(_("Not found."))
    return found


@router.get("/time-entries", response=TimeEntryPageOut, operation_id="time_entries_list")
def time_entries_list(request: HttpRequest, filters: Query[Filters]) -> dict[str, object]:
    require_scope(request, "time_entries:read")
    page = paginate(request, _filtered(TimeEntry.objects, entity_of(request), filters), cursor=filters.cursor,
                    limit=filters.limit)  # fmt: skip
    return {"items": page.items, "next": page.next}


@router.post("/time-entries", response={201: TimeEntryOut}, operation_id="time_entries_create")
def time_entries_create(request: HttpRequest, payload: TimeEntryIn) -> Status[TimeEntry]:
    key = require_scope(request, "time_entries:write")
    entity = entity_of(request)
    if (payload.minutes is None) == (payload.hours is None):
        raise ValidationFailed(_("Give either minutes or hours."), field="minutes", code="invalid_duration")
    try:
        minutes = payload.minutes if payload.minutes is not None else minutes_from_hours(payload.hours)  # type: ignore[arg-type]
    except InvalidDuration as error:
        raise ValidationFailed(_("Invalid duration."), field="hours", code="invalid_duration") from error
    entry = services.time_entry_create(
        entity=entity, project=_project(entity, payload.project), by=as_actor(key),
        person=_person(entity, payload.person, payload.person_username), date=payload.date or entity_today(entity),
        minutes=minutes, task=payload.task, role=payload.role, description=payload.description,
        billable=payload.billable,
    )  # fmt: skip
    if payload.submit:
        services.entry_submit(entry=entry, by=as_actor(key))
    return Status(201, _get(TimeEntry, request, entry.pk))


@router.get("/time-entries/{entry_id}", response=TimeEntryOut, operation_id="time_entries_read")
def time_entries_read(request: HttpRequest, entry_id: uuid.UUID) -> TimeEntry:
    require_scope(request, "time_entries:read")
    return _get(TimeEntry, request, entry_id)  # type: ignore[no-any-return]


@router.get("/expenses", response=ExpensePageOut, operation_id="expenses_list")
def expenses_list(request: HttpRequest, filters: Query[Filters]) -> dict[str, object]:
    require_scope(request, "expenses:read")
    page = paginate(request, _filtered(Expense.objects, entity_of(request), filters), cursor=filters.cursor,
                    limit=filters.limit)  # fmt: skip
    return {"items": page.items, "next": page.next}


def _receipt(encoded: str | None) -> bytes | None:
    if encoded is None:
        return None
    if len(encoded) > max_bytes() * 4 // 3 + 8:
        raise ValidationFailed(_("The receipt is too large."), field="receipt", code="receipt_too_large")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("The receipt is not base64."), field="receipt_base64", code="invalid"
        ) from None


@router.post("/expenses", response={201: ExpenseOut}, operation_id="expenses_create")
def expenses_create(request: HttpRequest, payload: ExpenseIn) -> Status[Expense]:
    key = require_scope(request, "expenses:write")
    entity = entity_of(request)
    expense = services.expense_create(
        entity=entity, project=_project(entity, payload.project), by=as_actor(key),
        person=_person(entity, payload.person, payload.person_username), date=payload.date or entity_today(entity),
        category=ExpenseCategory(payload.category), amount=payload.amount, vat_amount=payload.vat_amount,
        currency=payload.currency, description=payload.description, markup_percent=payload.markup_percent,
        billable=payload.billable, receipt=_receipt(payload.receipt_base64),
    )  # fmt: skip
    if payload.submit:
        services.entry_submit(entry=expense, by=as_actor(key))
    return Status(201, _get(Expense, request, expense.pk))


@router.get("/expenses/{expense_id}", response=ExpenseOut, operation_id="expenses_read")
def expenses_read(request: HttpRequest, expense_id: uuid.UUID) -> Expense:
    require_scope(request, "expenses:read")
    return _get(Expense, request, expense_id)  # type: ignore[no-any-return]


def _decide(request: HttpRequest, model: Any, pk: uuid.UUID, approve: bool, reason: str = "") -> Any:
    resource = "time_entries" if model is TimeEntry else "expenses"
    key = require_scope(request, f"{resource}:approve")
    services.entry_decide(entry=_get(model, request, pk), by=as_actor(key), approve=approve, reason=reason)
    return _get(model, request, pk)


@router.post("/time-entries/{entry_id}/submit", response=TimeEntryOut, operation_id="time_entries_submit")
def time_entries_submit(request: HttpRequest, entry_id: uuid.UUID) -> TimeEntry:
    key = require_scope(request, "time_entries:write")
    services.entry_submit(entry=_get(TimeEntry, request, entry_id), by=as_actor(key))
    return _get(TimeEntry, request, entry_id)  # type: ignore[no-any-return]


@router.post("/time-entries/{entry_id}/approve", response=TimeEntryOut, operation_id="time_entries_approve")
def time_entries_approve(request: HttpRequest, entry_id: uuid.UUID) -> TimeEntry:
    return _decide(request, TimeEntry, entry_id, True)  # type: ignore[no-any-return]


@router.post("/time-entries/{entry_id}/reject", response=TimeEntryOut, operation_id="time_entries_reject")
def time_entries_reject(request: HttpRequest, entry_id: uuid.UUID, payload: TimeRejectIn) -> TimeEntry:
    return _decide(request, TimeEntry, entry_id, False, payload.reason)  # type: ignore[no-any-return]


@router.post("/expenses/{expense_id}/submit", response=ExpenseOut, operation_id="expenses_submit")
def expenses_submit(request: HttpRequest, expense_id: uuid.UUID) -> Expense:
    key = require_scope(request, "expenses:write")
    services.entry_submit(entry=_get(Expense, request, expense_id), by=as_actor(key))
    return _get(Expense, request, expense_id)  # type: ignore[no-any-return]


@router.post("/expenses/{expense_id}/approve", response=ExpenseOut, operation_id="expenses_approve")
def expenses_approve(request: HttpRequest, expense_id: uuid.UUID) -> Expense:
    return _decide(request, Expense, expense_id, True)  # type: ignore[no-any-return]


@router.post("/expenses/{expense_id}/reject", response=ExpenseOut, operation_id="expenses_reject")
def expenses_reject(request: HttpRequest, expense_id: uuid.UUID, payload: TimeRejectIn) -> Expense:
    return _decide(request, Expense, expense_id, False, payload.reason)  # type: ignore[no-any-return]

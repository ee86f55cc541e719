"""Time and expenses in the staff UI: one's own entries of a week, expenses with receipts, and the
approval queue. Every write goes through `timesheets.services` (checked, audited); a refused one is
shown as a message and nothing is written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError
from facturier.domain.timesheets.rounding import minutes_from_hours
from facturier.invoicing.services.common import entity_today
from facturier.timesheets import services
from facturier.timesheets.models import EntryStatus, Expense, TimeEntry
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.timesheets import ExpenseForm, RejectForm, TimeEntryForm

KINDS: dict[str, Any] = {"time": TimeEntry, "expense": Expense}


def _week(request: EntityRequest) -> dt.date:
    """The Monday of the week asked for (``?week=YYYY-MM-DD``), else of today in the company's zone."""
    try:
        day = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = entity_today(request.entity)
    return day - dt.timedelta(days=day.weekday())


def _refused(request: EntityRequest, error: BusinessError) -> None:
    messages.error(request, error.message)


@staff_view
def time_entries(request: EntityRequest) -> HttpResponse:
    monday = _week(request)
    can_edit = role_allows(request.role, Action.EDIT_DOCUMENTS)
    form = TimeEntryForm(
        request.POST or None, entity=request.entity, initial={"date": entity_today(request.entity)}
    )
    if request.method == "POST" and can_edit and form.is_valid():
        data = form.cleaned_data
        try:
            services.time_entry_create(
                entity=request.entity, project=data["project"], person=request.user, by=as_actor(request.user),
                date=data["date"], minutes=minutes_from_hours(data["hours"]), task=data["task"],
                description=data["description"], billable=data["billable"],
            )  # fmt: skip
        except BusinessError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Time recorded."))
            return redirect(f"{request.path}?week={data['date'] - dt.timedelta(days=data['date'].weekday())}")
    entries = list(TimeEntry.objects.filter(entity=request.entity, person=request.user.pk, date__gte=monday,
                                            date__lt=monday + dt.timedelta(days=7)).select_related("project"))  # fmt: skip
    days = [monday + dt.timedelta(days=n) for n in range(7)]
    per_day = [(day, sum(e.minutes for e in entries if e.date == day)) for day in days]
    return render(request, "web/timesheets/entries.html", {
        "form": form, "entries": entries, "monday": monday, "per_day": per_day, "can_edit": can_edit,
        "total": sum(e.minutes for e in entries), "previous": monday - dt.timedelta(days=7),
        "next": monday + dt.timedelta(days=7),
        "drafts": any(e.status in (EntryStatus.DRAFT, EntryStatus.REJECTED) for e in entries),
    })  # fmt: skip


@require_POST
@staff_view
def time_submit_week(request: EntityRequest) -> HttpResponse:
    """Submit every draft or rejected entry of the person's week for approval."""
    monday = _week(request)
    entries = TimeEntry.objects.filter(entity=request.entity, person=request.user.pk, date__gte=monday,
                                       date__lt=monday + dt.timedelta(days=7),
                                       status__in=[EntryStatus.DRAFT, EntryStatus.REJECTED])  # fmt: skip
    count = 0
    for entry in entries:
        try:
            services.entry_submit(entry=entry, by=as_actor(request.user))
            count += 1
        except BusinessError as error:
            _refused(request, error)
            break
    if count:
        messages.success(request, _("%(count)s entries submitted for approval.") % {"count": count})
    return redirect(f"{reverse('web:time-entries')}?week={monday}")


@staff_view
def expense_list(request: EntityRequest) -> HttpResponse:
    can_edit = role_allows(request.role, Action.EDIT_DOCUMENTS)
    form = ExpenseForm(request.POST or None, request.FILES or None, entity=request.entity,
                       initial={"date": entity_today(request.entity)})  # fmt: skip
    if request.method == "POST" and can_edit and form.is_valid():
        data = form.cleaned_data
        upload = data.get("receipt")
        try:
            if upload is not None and upload.size > services.checked_receipt_limit():
                raise services.receipt_too_large()
            expense = services.expense_create(
                entity=request.entity, project=data["project"], person=request.user, by=as_actor(request.user),
                date=data["date"], category=data["category"], amount=data["amount"], vat_amount=data["vat_amount"],
                description=data["description"], markup_percent=data["markup_percent"], billable=data["billable"],
                receipt=upload.read() if upload is not None else None,
            )  # fmt: skip
            services.entry_submit(entry=expense, by=as_actor(request.user))
        except BusinessError as error:
            form.add_error("receipt" if error.field == "receipt" else None, error.message)
        else:
            messages.success(request, _("Expense recorded and submitted for approval."))
            return redirect("web:time-expenses")
    expenses = Expense.objects.filter(entity=request.entity, person=request.user.pk).select_related(
        "project"
    )[:100]
    return render(
        request, "web/timesheets/expenses.html", {"form": form, "expenses": expenses, "can_edit": can_edit}
    )


@staff_view
def expense_receipt(request: EntityRequest, pk: Any) -> HttpResponse:
    expense = Expense.objects.filter(entity=request.entity, pk=pk).first()
    if expense is None or not expense.receipt:
        raise Http404
    if expense.person_id != request.user.pk and not role_allows(request.role, Action.APPROVE):
        raise Http404
    response = HttpResponse(expense.receipt.read(), content_type=expense.receipt_type)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[expense.receipt_type]
    response["Content-Disposition"] = f'attachment; filename="receipt-{expense.date}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@staff_view
def approval_queue(request: EntityRequest) -> HttpResponse:
    if not role_allows(request.role, Action.APPROVE):
        raise Http404
    ref = as_actor(request.user).ref
    waiting = {"entity": request.entity, "status": EntryStatus.SUBMITTED}
    times = [e for e in TimeEntry.objects.filter(**waiting).select_related("project", "person")
             .order_by("date", "created_at")[:200] if ref not in e.authors()]  # fmt: skip
    spent = [e for e in Expense.objects.filter(**waiting).select_related("project", "person")
             .order_by("date", "created_at")[:200] if ref not in e.authors()]  # fmt: skip
    return render(
        request, "web/timesheets/approvals.html", {"times": times, "expenses": spent, "form": RejectForm()}
    )


@require_POST
@staff_view
def approval_decide(request: EntityRequest, kind: str, pk: Any, decision: str) -> HttpResponse:
    model = KINDS.get(kind)
    entry = model.objects.filter(entity=request.entity, pk=pk).first() if model else None
    if entry is None or decision not in ("approve", "reject"):
        raise Http404
    try:
        services.entry_decide(entry=entry, by=as_actor(request.user), approve=decision == "approve",
                              reason=request.POST.get("reason", ""))  # fmt: skip
    except BusinessError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Approved.") if decision == "approve" else _("Sent back to its author."))
    return redirect("web:time-approvals")

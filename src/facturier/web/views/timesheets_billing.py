"""Time and expenses on the billing side: the work in progress (and invoicing it), the rate card and
the company's settings (rounding increment, default expense markup)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError
from facturier.projects.models import Project
from facturier.timesheets.models import RateRule
from facturier.timesheets.rates import rate_rule_create, rate_rule_delete, rules_of, settings_of, settings_set
from facturier.timesheets.wip import wip_invoice, wip_of
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.timesheets import RateRuleForm, TimesheetSettingsForm


@staff_view
def wip_view(request: EntityRequest) -> HttpResponse:
    projects = wip_of(request.entity)
    totals: dict[str, Any] = {}
    for wip in projects:
        totals[wip.project.currency] = totals.get(wip.project.currency, 0) + wip.total
    return render(request, "web/timesheets/wip.html", {
        "projects": projects, "totals": sorted(totals.items()),
        "can_invoice": role_allows(request.role, Action.EDIT_DOCUMENTS),
        "increment": settings_of(request.entity).rounding_minutes,
    })  # fmt: skip


@require_POST
@staff_view
def wip_invoice_view(request: EntityRequest, pk: Any) -> HttpResponse:
    project = (
        Project.objects.filter(entity=request.entity, pk=pk).select_related("entity", "customer").first()
    )
    if project is None:
        raise Http404
    try:
        invoice = wip_invoice(project=project, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect("web:time-wip")
    if invoice is None:
        messages.info(request, _("Nothing left to invoice on this project."))
        return redirect("web:time-wip")
    messages.success(request, _("Draft invoice created from the work in progress."))
    return redirect("web:document-detail", pk=invoice.pk)


@staff_view
def rate_card(request: EntityRequest) -> HttpResponse:
    entity = request.entity
    can_edit = role_allows(request.role, Action.EDIT_CATALOG)
    can_manage = role_allows(request.role, Action.MANAGE_ENTITY)
    current = settings_of(entity)
    posted = request.POST.get("form")
    form = RateRuleForm(request.POST if posted == "rate" else None, entity=entity)
    settings_form = TimesheetSettingsForm(request.POST if posted == "settings" else None, initial={
        "rounding_minutes": current.rounding_minutes, "expense_markup_percent": current.expense_markup_percent})  # fmt: skip
    try:
        if posted == "rate" and can_edit and form.is_valid():
            rate_rule_create(entity=entity, by=as_actor(request.user), **form.cleaned_data)
            messages.success(request, _("Rate added."))
            return redirect("web:time-rates")
        if posted == "settings" and can_manage and settings_form.is_valid():
            settings_set(entity=entity, by=as_actor(request.user), **settings_form.cleaned_data)
            messages.success(request, _("Settings saved."))
            return redirect("web:time-rates")
    except BusinessError as error:
        (form if posted == "rate" else settings_form).add_error(None, error.message)
    return render(request, "web/timesheets/rates.html", {
        "rules": rules_of(entity), "form": form, "settings_form": settings_form, "can_edit": can_edit,
        "can_manage": can_manage,
    })  # fmt: skip


@require_POST
@staff_view
def rate_delete(request: EntityRequest, pk: Any) -> HttpResponse:
    rule = RateRule.objects.filter(entity=request.entity, pk=pk).select_related("entity").first()
    if rule is None:
        raise Http404
    try:
        rate_rule_delete(rule=rule, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Rate removed."))
    return redirect("web:time-rates")

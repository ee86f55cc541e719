"""The billing pages: contracts (list with the usage of their metered items this period, new, detail with
change and termination), billing runs (start, preview, approval, progress) and price index values. Every
write goes through the billing services."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.billing import indexation
from facturier.billing.models import BillingRun, Contract, ContractItem, IndexSeries
from facturier.billing.runs import billing_run_approve, billing_run_start
from facturier.billing.selectors import billing_runs_of, contracts_of, current_usage
from facturier.billing.services import ItemData, contract_change, contract_create, contract_terminate
from facturier.common.errors import BusinessError
from facturier.invoicing.services.common import entity_today
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.billing import (
    ITEM_ROWS,
    ChangeForm,
    ContractForm,
    IndexValueForm,
    ItemFields,
    RunForm,
    TerminateForm,
)
from facturier.web.forms.summary import error_summary

PAGE_SIZE = 25


def _require(request: EntityRequest, action: Action) -> None:
    if not role_allows(request.role, action):
        raise Http404  # the button is hidden; a forged URL finds nothing


def _contract(request: EntityRequest, pk: str) -> Contract:
    found: Contract | None = (
        Contract.objects.filter(entity=request.entity, pk=pk)
        .select_related("customer", "index_series")
        .first()
    )
    if found is None:
        raise Http404
    return found


@staff_view
def billing_overview(request: EntityRequest) -> HttpResponse:
    page = Paginator(contracts_of(entity=request.entity), PAGE_SIZE).get_page(request.GET.get("page"))
    today = entity_today(request.entity)
    run_form = RunForm(initial={"day": today})
    return render(request, "web/billing/overview.html", {
        "page": page, "runs": billing_runs_of(entity=request.entity).select_related("job_run")[:20],
        "usage": current_usage(entity=request.entity, today=today),
        "run_form": run_form, "can_edit": role_allows(request.role, Action.EDIT_DOCUMENTS),
        "can_issue": role_allows(request.role, Action.ISSUE),
    })  # fmt: skip


def _item_forms(request: EntityRequest) -> list[ItemFields]:
    data = request.POST if request.method == "POST" else None
    return [ItemFields(data, prefix=f"item{index}") for index in range(ITEM_ROWS)]


@staff_view
def contract_new(request: EntityRequest) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    indices = [(s.code, s.code) for s in IndexSeries.objects.filter(entity=request.entity)]
    form = ContractForm(request.POST or None, entity=request.entity, indices=indices,
                        initial={"start_date": entity_today(request.entity)})  # fmt: skip
    items = _item_forms(request)
    if request.method == "POST" and form.is_valid() and all(item.is_valid() for item in items):
        data = form.cleaned_data
        try:
            contract = contract_create(
                entity=request.entity, by=as_actor(request.user),
                customer=data["customer"],
                reference=data["reference"], start_date=data["start_date"], frequency=data["frequency"],
                timing=data["timing"], alignment=data["alignment"], trial_days=data["trial_days"],
                term_months=data["term_months"], tacit_renewal=data["tacit_renewal"], notice_days=data["notice_days"],
                proration_policy=data["proration_policy"], minimum_amount=data["minimum_amount"],
                notify_days=data["notify_days"], revision_date=data["revision_date"],
                index_series=IndexSeries.objects.filter(entity=request.entity, code=data["index"]).first()
                if data["index"] else None,
                items=[_item_data(item.cleaned_data) for item in items if item.cleaned_data.get("description")],
            )  # fmt: skip
        except BusinessError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(
                request, _("Contract %(reference)s created.") % {"reference": contract.reference}
            )
            return redirect("web:billing-contract", pk=contract.pk)
    problems = error_summary(form, *items) if form.is_bound else []
    return render(request, "web/billing/contract_form.html", {"form": form, "items": items, "problems": problems},
                  status=400 if form.is_bound and problems else 200)  # fmt: skip


def _item_data(data: dict[str, Any]) -> ItemData:
    return ItemData(description=data["description"], pricing_model=data["pricing_model"],
                    quantity=data["quantity"] if data["quantity"] is not None else Decimal(1), unit_price=data["unit_price"],
                    tiers=data["tiers"], index_base=data["index_base"])  # fmt: skip


def _items_in_force(contract: Contract) -> list[tuple[str, str]]:
    return [(str(item.pk), f"{item.description} × {item.quantity.normalize():f}")
            for item in contract.items.filter(end_date__isnull=True)]  # fmt: skip


@staff_view
def contract_detail(request: EntityRequest, pk: str) -> HttpResponse:
    contract = _contract(request, pk)
    today = entity_today(request.entity)
    return render(request, "web/billing/contract_detail.html", {
        "contract": contract, "items": contract.items.all(), "changes": contract.changes.all(),
        "billed": contract.billed_periods.select_related("document").order_by("-period_start")[:24],
        "change_form": ChangeForm(items=[("", _("None: add a new item")), *_items_in_force(contract)],
                                  initial={"effective_date": today}),
        "terminate_form": TerminateForm(initial={"end_date": today}),
        "can_edit": role_allows(request.role, Action.EDIT_DOCUMENTS) and contract.status == "active",
    })  # fmt: skip


@staff_view
def contract_change_view(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    contract = _contract(request, pk)
    form = ChangeForm(request.POST, items=[("", ""), *_items_in_force(contract)])
    if request.method != "POST" or not form.is_valid():
        messages.error(request, _("The change could not be read: check the date and the amounts."))
        return redirect("web:billing-contract", pk=contract.pk)
    data = form.cleaned_data
    item = ContractItem.objects.filter(contract=contract, pk=data["item"]).first() if data["item"] else None
    new = None
    if not data["remove"]:
        base = item or ContractItem(description="", quantity=1, unit_price=0)
        new = ItemData(
            description=data["description"] or base.description,
            quantity=data["quantity"] if data["quantity"] is not None else base.quantity,
            unit_price=data["unit_price"] if data["unit_price"] is not None else base.unit_price,
            pricing_model=base.pricing_model if item else "per_unit", tiers=base.tiers if item else [],
            unit=base.unit if item else "C62", vat_category=base.vat_category if item else None,
            vat_rate=base.vat_rate if item else None, index_base=base.index_base if item else None,
        )  # fmt: skip
    kind = "plan" if data["description"] else ("price" if data["unit_price"] is not None else "quantity")
    try:
        contract_change(contract=contract, by=as_actor(request.user), effective_date=data["effective_date"],
                        item=item, new=new, kind=kind)  # fmt: skip
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The change is recorded from %(date)s.") % {"date": data["effective_date"]}
        )
    return redirect("web:billing-contract", pk=contract.pk)


@staff_view
def contract_terminate_view(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.EDIT_DOCUMENTS)
    contract = _contract(request, pk)
    form = TerminateForm(request.POST)
    if request.method == "POST" and form.is_valid():
        try:
            contract_terminate(
                contract=contract, by=as_actor(request.user), end_date=form.cleaned_data["end_date"]
            )
        except BusinessError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("Contract %(reference)s terminated.") % {"reference": contract.reference}
            )
    return redirect("web:billing-contract", pk=contract.pk)


@staff_view
def billing_run_create(request: EntityRequest) -> HttpResponse:
    _require(request, Action.ISSUE)
    form = RunForm(request.POST)
    if request.method != "POST" or not form.is_valid():
        messages.error(request, _("Give the billing date."))
        return redirect("web:billing-overview")
    mode = form.cleaned_data["mode"]
    try:
        run = billing_run_start(entity=request.entity, day=form.cleaned_data["day"], by=as_actor(request.user),
                                dry_run=mode == "preview", approval=mode == "approval")  # fmt: skip
    except BusinessError as error:
        messages.error(request, error.message)
        return redirect("web:billing-overview")
    return redirect("web:billing-run", pk=run.pk)


@staff_view
def billing_run_detail(request: EntityRequest, pk: str) -> HttpResponse:
    run = (
        BillingRun.objects.filter(entity=request.entity, pk=pk)
        .select_related("job_run", "approved_by")
        .first()
    )
    if run is None:
        raise Http404
    results = run.results or {}
    preview = results.get("preview", results) if run.dry_run or run.status == "awaiting_approval" or \
        "preview" in results else None  # fmt: skip
    job = run.job_run
    return render(request, "web/billing/run_detail.html", {
        "run": run, "results": results, "preview": preview,
        "progress": (job.done, job.total) if job is not None else None,
        "can_approve": run.status == "awaiting_approval" and role_allows(request.role, Action.ISSUE),
        "refresh": run.status == "running",
    })  # fmt: skip


@staff_view
def billing_run_approve_view(request: EntityRequest, pk: str) -> HttpResponse:
    _require(request, Action.ISSUE)
    run = BillingRun.objects.filter(entity=request.entity, pk=pk).first()
    if run is None or request.method != "POST":
        raise Http404
    try:
        billing_run_approve(run=run, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Billing run approved: the workers are billing it."))
    return redirect("web:billing-run", pk=run.pk)


@staff_view
def index_values(request: EntityRequest) -> HttpResponse:
    can_edit = role_allows(request.role, Action.EDIT_DOCUMENTS)
    form = IndexValueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and can_edit and form.is_valid():
        data = form.cleaned_data
        try:
            values = indexation.parse_csv(data["file"].read().decode("utf-8-sig")) if data["file"] else []
            if data["date"] and data["value"] is not None:
                values.append((data["date"], data["value"]))
            series = indexation.index_series_create(
                entity=request.entity, by=as_actor(request.user), code=data["code"]
            )
            count = indexation.index_values_record(series=series, by=as_actor(request.user), values=values)
        except (BusinessError, UnicodeDecodeError) as error:
            form.add_error(None, getattr(error, "message", _("The file is not UTF-8 text.")))
        else:
            messages.success(request, _("%(count)s value(s) recorded for %(index)s.") % {"count": count,
                                                                                       "index": series.code})  # fmt: skip
            return redirect("web:billing-indices")
    known = IndexSeries.objects.filter(entity=request.entity).prefetch_related("values")
    problems = error_summary(form) if form.is_bound else []
    return render(request, "web/billing/indices.html", {"series": known, "form": form, "problems": problems,
                                                          "can_edit": can_edit})  # fmt: skip

"""Construction contracts in the staff UI: the list, a contract's bill of quantities and situations, the
form of a situation's cumulative progress, and the actions (invoice the situation, accept the works,
release the retention). Every write goes through `construction.services` (authorized, audited); a
refused one is shown as a message and nothing is written."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError
from facturier.construction import selectors, services
from facturier.construction.models import ConstructionContract, Situation
from facturier.invoicing.services.common import entity_today
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.construction import (
    LINE_ROWS,
    AcceptForm,
    ContractForm,
    ContractLineFields,
    ReleaseForm,
    SituationForm,
)
from facturier.web.forms.summary import error_summary, form_problems

PAGE_SIZE = 25
LINE_FIELD = re.compile(r"lines\[(\d+)\]\.(\w+)")


def _contract(request: EntityRequest, pk: Any) -> ConstructionContract:
    contract: ConstructionContract | None = (
        ConstructionContract.objects.filter(entity=request.entity, pk=pk).select_related("customer").first()
    )
    if contract is None:
        raise Http404
    return contract


@staff_view
def construction_list(request: EntityRequest) -> HttpResponse:
    contracts = selectors.construction_contracts_of(entity=request.entity)
    page = Paginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    can_edit = role_allows(request.role, Action.EDIT_DOCUMENTS)
    return render(request, "web/construction/list.html", {"page": page, "can_edit": can_edit})


def _attach(error: BusinessError, form: ContractForm, rows: list[tuple[int, ContractLineFields]]) -> None:
    """A service error onto its field: `lines[2].quantity` is the third line given, i.e. its row."""
    found = LINE_FIELD.fullmatch(error.field or "")
    if found and int(found[1]) < len(rows):
        row = rows[int(found[1])][1]
        row.add_error(found[2] if found[2] in row.fields else None, error.message)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


@staff_view
def construction_new(request: EntityRequest) -> HttpResponse:
    """A new contract and its bill of quantities (`LINE_ROWS` rows, blank ones skipped)."""
    if not role_allows(request.role, Action.EDIT_DOCUMENTS):
        raise Http404  # the link is hidden; a forged URL finds nothing
    data = request.POST if request.method == "POST" else None
    form = ContractForm(data, entity=request.entity)
    lines = [ContractLineFields(data, prefix=f"line{index}") for index in range(LINE_ROWS)]
    if data is not None and form.is_valid() and all(line.is_valid() for line in lines):
        values = form.cleaned_data
        given = [(index, line) for index, line in enumerate(lines) if line.cleaned_data.get("description")]
        bank = values["bank_guarantee_reference"]
        rate = values["retention_rate"]
        try:
            contract = services.construction_contract_create(
                entity=request.entity, customer=values["customer"], by=as_actor(request.user),
                reference=values["reference"], name=values["name"], currency=values["currency"] or None,
                retention_rate=rate if rate is not None else Decimal(0 if bank.strip() else "5.00"),
                bank_guarantee_reference=bank, guarantee_months=values["guarantee_months"],
                lines=[services.LineInput(
                    description=line.cleaned_data["description"], quantity=line.cleaned_data["quantity"],
                    unit_price=line.cleaned_data["unit_price"], unit=line.cleaned_data["unit"],
                    vat_rate=line.cleaned_data["vat_rate"],
                ) for _index, line in given],
            )  # fmt: skip
        except BusinessError as error:
            _attach(error, form, given)
        else:
            messages.success(
                request, _("Contract %(reference)s created.") % {"reference": contract.reference}
            )
            return redirect("web:construction-detail", pk=contract.pk)
    problems = error_summary(form) if form.is_bound else []
    for number, line in enumerate(lines, start=1):
        if line.is_bound:
            problems += form_problems(line, row=_("Line %(number)s") % {"number": number})
    return render(request, "web/construction/new.html", {"form": form, "lines": lines, "problems": problems},
                  status=400 if form.is_bound and problems else 200)  # fmt: skip


@staff_view
def construction_detail(request: EntityRequest, pk: Any) -> HttpResponse:
    contract = _contract(request, pk)
    today = entity_today(request.entity)
    return render(
        request,
        "web/construction/detail.html",
        {
            "contract": contract, "summary": selectors.contract_summary(contract),
            "situations": selectors.situations_of(contract), "release_due": services.release_due_date(contract),
            "accept_form": AcceptForm(initial={"acceptance_date": today}), "release_form": ReleaseForm(),
        },
    )  # fmt: skip


@staff_view
def construction_situation(request: EntityRequest, pk: Any) -> HttpResponse:
    """Enter the cumulative progress of the next situation (a line left empty keeps its progress)."""
    contract = _contract(request, pk)
    summary = selectors.contract_summary(contract)
    form = SituationForm(
        request.POST or None, rows=summary.rows, initial={"date": entity_today(request.entity)}
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        progress = []
        for row in summary.rows:
            percent, done = (
                values.get(f"percent_{row.line.position}"),
                values.get(f"quantity_{row.line.position}"),
            )
            if percent is not None and done is not None:
                form.add_error(
                    f"quantity_{row.line.position}", _("Give a percentage or a quantity, not both.")
                )
            elif percent is not None or done is not None:
                progress.append(services.ProgressInput(line=row.line, percent=percent, quantity_done=done))
        if form.is_valid():
            try:
                services.situation_record(contract=contract, by=as_actor(request.user), progress=progress,
                                          date=values["date"], correction=values["correction"])  # fmt: skip
            except BusinessError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Situation recorded: check it, then issue its invoice."))
                return redirect("web:construction-detail", pk=contract.pk)
    return render(request, "web/construction/situation.html", {"contract": contract, "form": form})


@require_POST
@staff_view
def construction_situation_issue(request: EntityRequest, pk: Any, situation_pk: Any) -> HttpResponse:
    contract = _contract(request, pk)
    situation = Situation.objects.filter(contract=contract, pk=situation_pk).first()
    if situation is None:
        raise Http404
    try:
        situation = services.situation_issue(situation=situation, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        document = situation.document
        if document is not None and document.number:
            messages.success(request, _("Invoice %(number)s issued.") % {"number": document.number})
        else:
            messages.success(request, _("The situation's invoice awaits approval."))
    return redirect("web:construction-detail", pk=contract.pk)


@require_POST
@staff_view
def construction_accept(request: EntityRequest, pk: Any) -> HttpResponse:
    contract = _contract(request, pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the acceptance of the works."))
        return redirect("web:construction-detail", pk=contract.pk)
    try:
        services.contract_accept(contract=contract, by=as_actor(request.user),
                                 acceptance_date=form.cleaned_data["acceptance_date"])  # fmt: skip
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Acceptance of the works recorded: the guarantee period starts."))
    return redirect("web:construction-detail", pk=contract.pk)


@require_POST
@staff_view
def construction_release(request: EntityRequest, pk: Any) -> HttpResponse:
    contract = _contract(request, pk)
    form = ReleaseForm(request.POST)
    form.is_valid()
    values = form.cleaned_data
    try:
        release = services.retention_release(contract=contract, by=as_actor(request.user),
                                             early=bool(values.get("early")), reason=values.get("reason") or "")  # fmt: skip
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Retention released: %(amount)s %(currency)s.")
                         % {"amount": release.amount, "currency": contract.currency})  # fmt: skip
    return redirect("web:construction-detail", pk=contract.pk)

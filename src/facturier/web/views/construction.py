"""Construction contracts in the staff UI: the list, a contract's bill of quantities and situations, the
form of a situation's cumulative progress, and the actions (invoice the situation, accept the works,
release the retention). Every write goes through `construction.services` (authorized, audited); a
refused one is shown as a message and nothing is written."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.common.errors import BusinessError
from facturier.construction import selectors, services
from facturier.construction.models import ConstructionContract, Situation
from facturier.invoicing.services.common import entity_today
from facturier.web.access import EntityRequest, staff_view
from facturier.web.forms.construction import AcceptForm, ReleaseForm, SituationForm

PAGE_SIZE = 25


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
    return render(request, "web/construction/list.html", {"page": page})


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

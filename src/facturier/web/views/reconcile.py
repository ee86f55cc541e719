"""The reconciliation screen: the bank lines left to decide with the engine's proposals (score, reasons in
words), decided in one key; a line's page to search open items and split it, with a write-off; bulk accept
of the confident proposals; undo of recent decisions. Every write goes through `banking.reconciliation`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.roles import Action, role_allows
from facturier.banking import reconciliation as services
from facturier.banking import reconciliation_selectors as selectors
from facturier.banking.models import BankLine
from facturier.banking.reasons import describe, labels_for
from facturier.banking.reconciliation_inputs import rules_of
from facturier.common.errors import BusinessError, NotFound
from facturier.web.access import EntityRequest, staff_view

PAGE_SIZE = 25
CONFIDENT = Decimal("0.85")


def _require_writer(request: EntityRequest) -> None:
    if not role_allows(request.role, Action.RECORD_PAYMENT):
        raise Http404


def _line(request: EntityRequest, pk: object) -> BankLine:
    try:
        return selectors.line_get(entity=request.entity, pk=pk)
    except NotFound:
        raise Http404 from None


def _explained(lines: list[BankLine]) -> list[dict[str, Any]]:
    labels = labels_for([line.reasons for line in lines])
    rows = []
    for line in lines:
        keys = [part["item_key"] for part in line.proposed_allocations]
        amounts = {part["item_key"]: Decimal(part["amount"]) for part in line.proposed_allocations}
        proposal = [
            (candidate, amounts[candidate.key])
            for candidate in selectors.candidates_for(entity=line.entity, keys=keys)
        ]
        rows.append({
            "line": line, "reasons": [describe(reason, labels) for reason in line.reasons],
            "proposal": proposal, "score": int((line.score or 0) * 100) if line.score is not None else None,
        })  # fmt: skip
    return rows


@staff_view
def reconcile_screen(request: EntityRequest) -> HttpResponse:
    page = Paginator(selectors.lines_to_reconcile(entity=request.entity), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "web/bank/reconcile.html", {
        "page": page, "rows": _explained(list(page)), "confident": int(CONFIDENT * 100),
        "left": selectors.left_to_reconcile(entity=request.entity, confident=CONFIDENT),
        "recent": selectors.recent_decisions(entity=request.entity),
        "can_write": role_allows(request.role, Action.RECORD_PAYMENT),
    })  # fmt: skip


def _back(line_pk: object | None = None) -> HttpResponse:
    url = reverse("web:bank-reconcile")
    return redirect(f"{url}#line-{line_pk}" if line_pk else url)


@staff_view
@require_POST
def reconcile_action(request: EntityRequest, pk: object, action: str) -> HttpResponse:
    _require_writer(request)
    line = _line(request, pk)
    act = {
        "accept": services.proposal_accept, "reject": services.proposal_reject,
        "unrelated": services.line_mark_unrelated, "undo": services.line_undo,
    }.get(action)  # fmt: skip
    if act is None:
        raise Http404
    try:
        act(line=line, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
        return _back(pk)
    done = {
        "accept": _("Proposal accepted: %(amount)s from %(payer)s reconciled."),
        "reject": _("Proposal rejected: %(amount)s from %(payer)s is left to match by hand."),
        "unrelated": _("%(amount)s from %(payer)s marked as unrelated."),
        "undo": _("Reconciliation of %(amount)s from %(payer)s undone: its payment is reversed."),
    }[action]
    messages.success(request, done % {"amount": line.amount, "payer": line.counterparty_name or "?"})
    return _back()


@staff_view
@require_POST
def reconcile_bulk(request: EntityRequest) -> HttpResponse:
    _require_writer(request)
    accepted, refused = services.proposals_accept_confident(
        entity=request.entity, by=as_actor(request.user), minimum=CONFIDENT
    )
    messages.success(request, _("%(count)s confident proposals accepted.") % {"count": accepted})
    for problem in refused:
        messages.error(request, problem)
    return _back()


@staff_view
@require_POST
def reconcile_run(request: EntityRequest) -> HttpResponse:
    _require_writer(request)
    try:
        summary = services.reconciliation_run(entity=request.entity, by=as_actor(request.user))
    except BusinessError as error:
        messages.error(request, error.message)
        return _back()
    messages.success(
        request,
        _("Reconciliation: %(auto)s reconciled automatically, %(proposed)s proposed, %(unmatched)s left.")
        % summary.as_dict(),
    )
    return _back()


def _parts(request: EntityRequest) -> tuple[list[tuple[str, Decimal]], list[str]]:
    parts, problems = [], []
    for key in request.POST.getlist("item"):
        raw = request.POST.get(f"amount-{key}", "").strip().replace(",", ".").replace(" ", "")
        if not raw:
            continue
        try:
            parts.append((key, Decimal(raw)))
        except InvalidOperation:
            problems.append(_("%(value)s is not an amount.") % {"value": raw})
    return parts, problems


@staff_view
def reconcile_line(request: EntityRequest, pk: object) -> HttpResponse:
    """One line: search open items, split the line over them, write off a difference, or mark it unrelated."""
    line = _line(request, pk)
    query = request.GET.get("q", "").strip() or line.counterparty_name
    problems: list[str] = []
    if request.method == "POST":
        _require_writer(request)
        parts, problems = _parts(request)
        write_off = request.POST.get("write_off", "")
        if not problems:
            try:
                services.line_match(line=line, parts=parts, by=as_actor(request.user),
                                    write_off=write_off if write_off in ("fee", "writeoff") else "")  # fmt: skip
            except BusinessError as error:
                problems.append(error.message)
            else:
                messages.success(request, _("%(amount)s from %(payer)s reconciled.")
                                 % {"amount": line.amount, "payer": line.counterparty_name or "?"})  # fmt: skip
                return _back()
    found = selectors.search_open_items(entity=request.entity, query=query)
    if not found and query == line.counterparty_name:
        query = ""
        found = selectors.search_open_items(entity=request.entity, query="")
    chosen = {key: request.POST.get(f"amount-{key}", "") for key in request.POST.getlist("item")}
    rules = rules_of(request.entity)
    return render(request, "web/bank/reconcile_line.html", {
        "line": line, "row": _explained([line])[0], "query": query, "found": found, "problems": problems,
        "chosen": chosen, "rules": rules, "can_write": role_allows(request.role, Action.RECORD_PAYMENT),
        "is_open": line.status in services.OPEN_STATUSES,
    }, status=422 if problems else 200)  # fmt: skip

"""Approving from a phone: the list of what waits for this approver, one page per document with what
to check before deciding (customer, total, due date, lines), and the approve / reject buttons.

The list leaves out what the user created or submitted; deciding goes through the same services as
the document page, so the same rules hold (their author approving anyway gets the service's refusal).
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from facturier.accounts.actor import as_actor
from facturier.accounts.authorization import is_author
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import BusinessError
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing import services
from facturier.invoicing.models import Document
from facturier.invoicing.selectors import awaiting_approval_by, pending_approval
from facturier.web.access import EntityRequest, staff_view
from facturier.web.approval_circuit import circuit_context, waiting_received
from facturier.web.error_messages import explain
from facturier.web.forms.actions import RejectForm
from facturier.web.forms.approvals import DecisionForm
from facturier.web.receivables import entity_today
from facturier.web.templatetags.facturier_format import money


def _require_approver(request: EntityRequest) -> None:
    """Other roles have no such page (the menu does not show it to them either)."""
    if not role_allows(request.role, Action.APPROVE):
        raise Http404


def _pending(request: EntityRequest, pk: str) -> Document:
    documents = pending_approval(request.entity)
    return get_object_or_404(documents.select_related("customer", "submitted_by", "submitted_by_key"), pk=pk)


def _due_if_issued_today(request: EntityRequest, document: Document) -> dt.date | None:
    """A pending invoice has no due date yet (it is set at issue): the one it gets if issued today."""
    try:
        return parse_terms(document.payment_terms).due_date(entity_today(request.entity))
    except ValueError:
        return None


def _submitter(document: Document) -> str:
    """Who asks for the approval: the person's name, else their username, else the API key's name."""
    if document.submitted_by is not None:
        return str(document.submitted_by.get_full_name() or document.submitted_by.get_username())
    return document.submitted_by_key.name if document.submitted_by_key is not None else ""


def _label(document: Document) -> str:
    kind = _("Credit note") if document.is_credit_note else _("Invoice")
    return f"{kind} {document.customer.name} ({money(document.tax_inclusive, document.currency)})"


def _detail_page(
    request: EntityRequest, document: Document, reject_form: RejectForm | None = None
) -> HttpResponse:
    context = {
        "document": document,
        "lines": document.lines.all(),
        "allowances_charges": document.allowances_charges.all(),
        "due_if_issued_today": _due_if_issued_today(request, document),
        "submitter": _submitter(document),
        "decision_form": DecisionForm(),
        "reject_form": reject_form or RejectForm(),
        "own_submission": is_author(request.user, document),
        "remaining": awaiting_approval_by(request.user, request.entity).exclude(pk=document.pk).count(),
        **circuit_context("document", document.pk),
    }
    return render(request, "web/approvals/detail.html", context, status=400 if reject_form else 200)


@staff_view
def approval_list(request: EntityRequest) -> HttpResponse:
    _require_approver(request)
    documents = list(awaiting_approval_by(request.user, request.entity)[:200])
    for document in documents:
        document.due_if_issued_today = _due_if_issued_today(request, document)  # type: ignore[attr-defined]
        document.submitter = _submitter(document)  # type: ignore[attr-defined]
    received = waiting_received(request.user, request.entity)
    return render(request, "web/approvals/list.html", {"documents": documents, "received": received})


@staff_view
def approval_detail(request: EntityRequest, pk: str) -> HttpResponse:
    _require_approver(request)
    return _detail_page(request, _pending(request, pk))


@require_POST
@staff_view
def approval_decide(request: EntityRequest, pk: str, decision: str) -> HttpResponse:
    """Approve, or reject with the comment; then back to the list (or to the page, with the error)."""
    _require_approver(request)
    document = _pending(request, pk)
    try:
        if decision == "approve":
            comment = str(request.POST.get("comment", ""))[:1000].strip()  # optional (DecisionForm)
            document = services.invoice_approve(invoice=document, by=as_actor(request.user), comment=comment)
            if document.status == "pending_approval":
                messages.success(request, _("%(document)s: your approval is recorded; the next level decides.")
                                 % {"document": _label(document)})  # fmt: skip
            else:
                messages.success(request, _("%(document)s approved.") % {"document": _label(document)})
        elif decision == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                return _detail_page(request, document, reject_form=form)
            services.invoice_reject(
                invoice=document, by=as_actor(request.user), reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("%(document)s sent back to draft.") % {"document": _label(document)})
        else:
            raise Http404
    except BusinessError as error:
        messages.error(request, explain(error))
        return redirect("web:approval-detail", pk=document.pk)
    return redirect("web:approval-list")

"""Quotes, orders, invoices and credit notes: lists with filters, search and pages, and the detail page
with its links (quote -> order -> invoice -> credit notes), payments, history and action buttons.

What these pages show is read through `invoicing.selectors` (and `payments.selectors` for money owed):
the views only turn requests into those calls and render the answers."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from facturier.accounts.actor import as_actor
from facturier.accounts.authorization import is_author
from facturier.approvals.models import SubjectType
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.selectors import available_actions, history_of, lineage_of
from facturier.payments.credit import available_credit
from facturier.payments.models import Allocation
from facturier.payments.selectors import settle, settlement_of
from facturier.web.access import EntityRequest, of_entity, staff_view
from facturier.web.approval_circuit import circuit_context
from facturier.web.forms.actions import PaymentForm, RejectForm
from facturier.web.listing import ROW_FIELDS, DocumentFilterForm, list_page, section_named, section_of
from facturier.web.receivables import entity_today, is_overdue


def entity_documents(request: EntityRequest) -> QuerySet[Document]:
    return of_entity(Document, request.entity)


@staff_view
def document_list(request: EntityRequest, slug: str) -> HttpResponse:
    section = section_named(slug)
    filters = DocumentFilterForm(request.GET or None, entity=request.entity, section=section)
    page = list_page(
        filters.apply(section.documents(request.entity)).only(*ROW_FIELDS),
        request.GET.get("after", "")[:300],
        before_cursor=request.GET.get("before", "")[:300],
        searching=bool(request.GET.get("q", "").strip()),
    )
    settle(page)
    today = entity_today(request.entity)
    for document in page:
        document.overdue = is_overdue(document, today)
    return render(
        request,
        "web/documents/list.html",
        {"section": section, "filters": filters, "page": page, "may_create": slug != "credit-notes"},
    )


def detail_context(request: EntityRequest, document: Document, **extra: Any) -> dict[str, Any]:
    invoice_like = document.kind == Kind.INVOICE
    settled = settlement_of(document) if document.is_sealed and invoice_like else None
    outstanding = settled.balance if settled else None
    document.settlement = settled.settlement.value if settled else None  # type: ignore[attr-defined]
    return {
        "document": document,
        "section": section_of(document),
        "lines": document.lines.all(),
        "allowances_charges": document.allowances_charges.all(),
        "lineage": lineage_of(document),
        "derived": document.derived.all(),
        "credit_notes": document.corrections.all() if invoice_like else [],
        "payments": Allocation.objects.filter(document=document)
        .select_related("payment")
        .order_by("payment__received_on", "created_at")
        if invoice_like
        else [],
        "outstanding": outstanding,
        "customer_credit": available_credit(document.customer, document.currency)
        if settled is not None and outstanding and outstanding > 0 and not document.is_credit_note
        else None,
        "overdue": is_overdue(document, entity_today(request.entity)),
        "history": history_of(document),
        "actions": available_actions(as_actor(request.user), document),
        "payment_form": extra.pop("payment_form", None)
        or PaymentForm(initial={"received_on": entity_today(request.entity), "amount": outstanding}),
        "reject_form": extra.pop("reject_form", None) or RejectForm(),
        "own_submission": document.status == Status.PENDING_APPROVAL and is_author(request.user, document),
        # the approval circuit (levels, rule, history), once the document was submitted
        **(
            circuit_context(SubjectType.DOCUMENT, document.pk)
            if invoice_like and document.submitted_at
            else {}
        ),
        **extra,
    }


@staff_view
def document_detail(request: EntityRequest, pk: str) -> HttpResponse:
    document = get_object_or_404(entity_documents(request).select_related("customer", "source"), pk=pk)
    return render(request, "web/documents/detail.html", detail_context(request, document))

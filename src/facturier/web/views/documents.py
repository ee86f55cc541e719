"""Quotes, orders, invoices and credit notes: lists with filters, search and pages, and the detail page
with its links (quote -> order -> invoice -> credit notes), payments, history and action buttons."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import F, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from facturier.accounts.authorization import is_author
from facturier.accounts.roles import Action, role_allows
from facturier.audit.models import AuditEvent
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Kind, Status
from facturier.payments.credit import available_credit
from facturier.payments.models import Allocation
from facturier.payments.selectors import settlement_of
from facturier.web.access import EntityRequest, of_entity, staff_view
from facturier.web.forms.actions import PaymentForm, RejectForm
from facturier.web.listing import DocumentFilterForm, section_named, section_of
from facturier.web.receivables import entity_today, is_overdue

# Issued invoices and credit notes that can (still) be sent as e-invoices through the customer's channel.
SENDABLE = frozenset({Status.ISSUED, Status.SENT})

PAGE_SIZE = 25


def entity_documents(request: EntityRequest) -> QuerySet[Document]:
    return of_entity(Document, request.entity)


@staff_view
def document_list(request: EntityRequest, slug: str) -> HttpResponse:
    section = section_named(slug)
    filters = DocumentFilterForm(request.GET or None, entity=request.entity, section=section)
    newest_first = F("issue_date").desc(nulls_first=True)  # drafts (no date yet) on top
    rows = filters.apply(section.documents(request.entity)).order_by(newest_first, "-created_at")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = entity_today(request.entity)
    for document in page:
        document.overdue = is_overdue(document, today)  # type: ignore[attr-defined]
    return render(
        request,
        "web/documents/list.html",
        {"section": section, "filters": filters, "page": page, "may_create": slug != "credit-notes"},
    )


def _lineage(document: Document) -> list[Document]:
    """The documents this one came from, oldest first (quote, order...)."""
    chain: list[Document] = []
    current = document.source
    while current is not None and len(chain) < 10:
        chain.insert(0, current)
        current = current.source
    return chain


def history_of(document: Document) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        entity=document.entity, object_type=document._meta.label_lower, object_id=str(document.pk)
    ).order_by("occurred_at", "position")


def available_actions(request: EntityRequest, document: Document) -> dict[str, bool]:
    """The buttons this user sees on this document: allowed by their role and by its state."""
    role, status, sealed = request.role, document.status, document.is_sealed

    def allowed(action: Action) -> bool:
        return role_allows(role, action)

    draft = status == Status.DRAFT and not sealed
    invoice = document.kind == Kind.INVOICE
    approval = request.entity.requires_approval
    return {
        "edit": draft and allowed(Action.EDIT_DOCUMENTS),
        "delete": draft and invoice and allowed(Action.EDIT_DOCUMENTS),
        "submit": draft and invoice and approval and allowed(Action.SUBMIT),
        "approve": invoice and status == Status.PENDING_APPROVAL and allowed(Action.APPROVE)
        and not is_author(request.user, document),
        "reject": invoice and status == Status.PENDING_APPROVAL and allowed(Action.REJECT),
        "issue": invoice and (status == Status.APPROVED or (draft and not approval)) and allowed(Action.ISSUE),
        "mark_sent": invoice and status == Status.ISSUED and allowed(Action.ISSUE),
        "send": invoice and sealed and status in SENDABLE and allowed(Action.ISSUE),
        "payment": invoice and sealed and not document.is_credit_note and status in OPEN_RECEIVABLE
        and allowed(Action.RECORD_PAYMENT),
        "credit": invoice and sealed and not document.is_credit_note and status != Status.CANCELLED
        and allowed(Action.CREDIT),
        "to_order": document.kind == Kind.QUOTE and status not in (Status.CONVERTED, Status.DECLINED)
        and allowed(Action.EDIT_DOCUMENTS),
        "to_invoice": document.kind in (Kind.QUOTE, Kind.ORDER)
        and status not in (Status.CONVERTED, Status.DECLINED) and allowed(Action.EDIT_DOCUMENTS),
        "quote_status": document.kind == Kind.QUOTE and status in (Status.DRAFT, Status.SENT)
        and allowed(Action.EDIT_DOCUMENTS),
        "confirm": document.kind == Kind.ORDER and status == Status.DRAFT and allowed(Action.EDIT_DOCUMENTS),
    }  # fmt: skip


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
        "lineage": _lineage(document),
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
        "history": history_of(document).select_related("actor"),
        "actions": available_actions(request, document),
        "payment_form": extra.pop("payment_form", None)
        or PaymentForm(initial={"received_on": entity_today(request.entity), "amount": outstanding}),
        "reject_form": extra.pop("reject_form", None) or RejectForm(),
        "own_submission": document.status == Status.PENDING_APPROVAL and is_author(request.user, document),
        **extra,
    }


@staff_view
def document_detail(request: EntityRequest, pk: str) -> HttpResponse:
    document = get_object_or_404(entity_documents(request).select_related("customer", "source"), pk=pk)
    return render(request, "web/documents/detail.html", detail_context(request, document))

"""Figures for the dashboard and the customer page: what is owed, what is late, what was invoiced.

Read-only and tenant-scoped: every query starts from `of_entity(Document, entity)`.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum

from facturier.accounts.models import LegalEntity
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.services.common import entity_today
from facturier.web.access import of_entity
from facturier.web.labels import status_text

__all__ = ["Dashboard", "dashboard_for", "entity_today", "is_overdue", "open_invoices", "outstanding_of"]

ZERO = Decimal("0.00")
AGE_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


def open_invoices(entity: LegalEntity) -> QuerySet[Document]:
    """Issued invoices still awaiting payment (credit notes excluded: they reduce what is owed)."""
    return (
        of_entity(Document, entity)
        .filter(kind=Kind.INVOICE, status__in=OPEN_RECEIVABLE)
        .exclude(type_code=TypeCode.CREDIT_NOTE)
    )


def _credited(invoices: QuerySet[Document]) -> Decimal:
    """Issued credit notes that partially credit still-open invoices."""
    total = Document.objects.filter(
        preceding_invoice__in=invoices, type_code=TypeCode.CREDIT_NOTE, seal_hash__gt=""
    ).aggregate(total=Sum("tax_inclusive"))["total"]
    return total or ZERO


def outstanding_of(invoices: QuerySet[Document]) -> Decimal:
    """Σ (payable − amount paid) of the invoices, less what credit notes already cancelled."""
    remaining = ExpressionWrapper(F("payable") - F("amount_paid"), output_field=DecimalField())
    total = invoices.aggregate(total=Sum(remaining))["total"] or ZERO
    return total - _credited(invoices)


def is_overdue(document: Document, today: dt.date) -> bool:
    return (
        document.status in OPEN_RECEIVABLE
        and not document.is_credit_note
        and document.due_date is not None
        and document.due_date < today
    )


def invoiced_between(entity: LegalEntity, start: dt.date, end: dt.date) -> Decimal:
    """Net sales excl. VAT issued in [start, end]: invoices less credit notes.

    A deposit invoice already deducted by an issued final invoice is left out, since the final invoice
    carries the whole sale (EN 16931: the deposit is only deducted from the amount due).
    """
    issued = of_entity(Document, entity).filter(
        kind=Kind.INVOICE, seal_hash__gt="", issue_date__gte=start, issue_date__lte=end
    )
    sales = (
        issued.exclude(type_code=TypeCode.CREDIT_NOTE)
        .exclude(type_code=TypeCode.DEPOSIT, deducted_by__seal_hash__gt="")
        .aggregate(total=Sum("tax_exclusive"))["total"]
        or ZERO
    )
    credits = issued.filter(type_code=TypeCode.CREDIT_NOTE).aggregate(total=Sum("tax_exclusive"))["total"]
    return sales - (credits or ZERO)


def aged_balance(entity: LegalEntity, today: dt.date) -> dict[str, Decimal]:
    """Outstanding per age band of days past the due date."""
    buckets = dict.fromkeys(AGE_BUCKETS, ZERO)
    invoices = open_invoices(entity)
    credited = dict(
        Document.objects.filter(
            preceding_invoice__in=invoices, type_code=TypeCode.CREDIT_NOTE, seal_hash__gt=""
        )
        .values_list("preceding_invoice")
        .annotate(total=Sum("tax_inclusive"))
        .values_list("preceding_invoice", "total")
    )
    for invoice in invoices.only("payable", "amount_paid", "due_date"):
        days_late = (today - invoice.due_date).days if invoice.due_date else 0
        if days_late <= 0:
            key = "not_due"
        elif days_late <= 30:
            key = "1_30"
        elif days_late <= 60:
            key = "31_60"
        elif days_late <= 90:
            key = "61_90"
        else:
            key = "over_90"
        buckets[key] += invoice.payable - invoice.amount_paid - credited.get(invoice.pk, ZERO)
    return buckets


@dataclass(frozen=True)
class Dashboard:
    today: dt.date
    currency: str
    outstanding: Decimal
    overdue: Decimal
    overdue_count: int
    invoiced_month: Decimal
    invoiced_year: Decimal
    drafts: int
    pending_approval: int
    aged: dict[str, Decimal] = field(default_factory=dict)
    by_status: list[tuple[str, str, int]] = field(default_factory=list)
    recent: list[Document] = field(default_factory=list)


def _counts_by_status(documents: QuerySet[Document]) -> list[tuple[str, str, int]]:
    """(status, label, count) in lifecycle order: draft first, cancelled last."""
    counts = dict(documents.values_list("status").annotate(n=Count("id")).order_by())
    return [
        (status.value, status_text(status, Kind.INVOICE), counts[status])
        for status in Status
        if status in counts
    ]


def dashboard_for(entity: LegalEntity) -> Dashboard:
    today = entity_today(entity)
    invoices = open_invoices(entity)
    late = invoices.filter(due_date__lt=today)
    documents = of_entity(Document, entity).filter(kind=Kind.INVOICE)
    return Dashboard(
        today=today,
        currency=entity.default_currency,
        outstanding=outstanding_of(invoices),
        overdue=outstanding_of(late),
        overdue_count=late.count(),
        invoiced_month=invoiced_between(entity, today.replace(day=1), today),
        invoiced_year=invoiced_between(entity, today.replace(month=1, day=1), today),
        drafts=documents.filter(status=Status.DRAFT).count(),
        pending_approval=documents.filter(status=Status.PENDING_APPROVAL).count(),
        aged=aged_balance(entity, today),
        by_status=_counts_by_status(documents),
        recent=list(documents.select_related("customer").order_by("-created_at")[:10]),
    )

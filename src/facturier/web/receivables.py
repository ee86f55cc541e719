"""Figures for the dashboard: what is owed and late (the receivables selector), what was invoiced.

Read-only and tenant-scoped: every query starts from the entity.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from facturier.accounts.models import LegalEntity
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.services.common import entity_today
from facturier.payments.selectors import is_overdue, receivables_of
from facturier.web.access import of_entity
from facturier.web.labels import status_text

__all__ = ["Dashboard", "dashboard_for", "entity_today", "is_overdue"]

ZERO = Decimal("0.00")


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
    receivables = receivables_of(entity, today)
    documents = of_entity(Document, entity).filter(kind=Kind.INVOICE)
    return Dashboard(
        today=today,
        currency=entity.default_currency,
        outstanding=receivables.outstanding,
        overdue=receivables.overdue,
        overdue_count=receivables.overdue_count,
        invoiced_month=invoiced_between(entity, today.replace(day=1), today),
        invoiced_year=invoiced_between(entity, today.replace(month=1, day=1), today),
        drafts=documents.filter(status=Status.DRAFT).count(),
        pending_approval=documents.filter(status=Status.PENDING_APPROVAL).count(),
        aged=receivables.aged,
        by_status=_counts_by_status(documents),
        recent=list(documents.select_related("customer").order_by("-created_at")[:10]),
    )

"""Figures for the dashboard: what is owed and late (the receivables selector), what was invoiced.

Read-only and tenant-scoped: every query starts from the entity.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Sum

from facturier.accounts.models import LegalEntity
from facturier.invoicing.aggregates import IN_PREPARATION
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.read_aggregates import SalesByMonth, StatusCount
from facturier.invoicing.services.common import entity_today
from facturier.payments.selectors import is_overdue, receivables_of
from facturier.web.access import of_entity
from facturier.web.labels import status_text
from facturier.web.listing import ROW_FIELDS

__all__ = ["Dashboard", "dashboard_for", "entity_today", "is_overdue"]

ZERO = Decimal("0.00")
AMOUNT = DecimalField(max_digits=20, decimal_places=2)


def invoiced_since(
    entity: LegalEntity, starts: dict[str, dt.date], end: dt.date, currency: str | None = None
) -> dict[str, Decimal]:
    """Net sales excl. VAT issued from each of `starts` to `end` (in `currency`, all currencies when None):
    invoices less credit notes, recomputed from the documents in one aggregate over the
    (entity, kind, issue_date) index. The dashboard reads the maintained monthly sums instead
    (`sales_of`); this is their definition, which the tests compare them with.

    A deposit invoice already deducted by an issued final invoice is left out, since the final invoice
    carries the whole sale (EN 16931: the deposit is only deducted from the amount due).
    """
    deducted = Exists(
        Document.deposits.through.objects.filter(to_document=OuterRef("pk"), from_document__seal_hash__gt="")
    )
    credit_note = Q(type_code=TypeCode.CREDIT_NOTE)
    sale = ~credit_note & ~(Q(type_code=TypeCode.DEPOSIT) & deducted)
    issued = of_entity(Document, entity).filter(
        kind=Kind.INVOICE, seal_hash__gt="", issue_date__gte=min(starts.values()), issue_date__lte=end
    )
    if currency is not None:
        issued = issued.filter(currency=currency)
    sums = issued.aggregate(
        **{f"sales_{name}": Sum("tax_exclusive", filter=sale & Q(issue_date__gte=start))
           for name, start in starts.items()},
        **{f"credits_{name}": Sum("tax_exclusive", filter=credit_note & Q(issue_date__gte=start))
           for name, start in starts.items()},
    )  # fmt: skip
    return {name: (sums[f"sales_{name}"] or ZERO) - (sums[f"credits_{name}"] or ZERO) for name in starts}


def invoiced_between(entity: LegalEntity, start: dt.date, end: dt.date) -> Decimal:
    """Net sales excl. VAT issued in [start, end] (see `invoiced_since`)."""
    return invoiced_since(entity, {"period": start}, end)["period"]


def sales_of(entity: LegalEntity, today: dt.date, currency: str) -> tuple[Decimal, Decimal]:
    """Net sales excl. VAT in `currency` of `today`'s month and year, from the monthly sums the database
    keeps (`invoicing.read_aggregates.SalesByMonth`): one aggregate over at most 12 months x 16 slots
    rows, whatever the number of invoices. A month counts every document issued in it (one dated later
    in the current month included)."""
    month = today.replace(day=1)
    sums = SalesByMonth.objects.filter(
        entity=entity, currency=currency, month__gte=today.replace(month=1, day=1), month__lte=month
    ).aggregate(year=Sum("cents"), month=Sum("cents", filter=Q(month=month)))
    return (Decimal(sums["month"] or 0) / 100).quantize(ZERO), (Decimal(sums["year"] or 0) / 100).quantize(
        ZERO
    )


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


def _counts_by_status(entity: LegalEntity, kind: str) -> list[tuple[str, str, int]]:
    """(status, label, count) in lifecycle order: draft first, cancelled last. Read from the counters
    the database keeps per entity, kind and status (`invoicing.read_aggregates.StatusCount`), and for the
    few documents still in preparation (not counted there: `invoicing.aggregates.IN_PREPARATION`) from the
    (entity, kind, status) index."""
    rows = StatusCount.objects.filter(entity=entity, kind=kind).values_list("status").annotate(n=Sum("n"))
    counts = {status: n for status, n in rows.order_by() if n}
    preparing = of_entity(Document, entity).filter(kind=kind, status__in=IN_PREPARATION)
    counts.update(preparing.values_list("status").annotate(n=Count("*")).order_by())
    return [
        (status.value, status_text(status, Kind.INVOICE), counts[status])
        for status in Status
        if status in counts
    ]


def dashboard_for(entity: LegalEntity) -> Dashboard:
    """Every figure is one SQL query that reads a maintained aggregate or an index, never a loop over
    history: receivables (the per-due-date balances the database keeps, payments.selectors), sales of
    the month and year (the monthly sums the database keeps, in the default currency), counts by status (the
    maintained counters) and the latest ten (the (entity, kind, -created_at) index)."""
    today = entity_today(entity)
    receivables = receivables_of(entity, today)
    documents = of_entity(Document, entity).filter(kind=Kind.INVOICE)
    by_status = _counts_by_status(entity, Kind.INVOICE)
    counts = {status: count for status, _label, count in by_status}
    invoiced_month, invoiced_year = sales_of(entity, today, entity.default_currency)
    return Dashboard(
        today=today,
        currency=entity.default_currency,
        outstanding=receivables.outstanding,
        overdue=receivables.overdue,
        overdue_count=receivables.overdue_count,
        invoiced_month=invoiced_month,
        invoiced_year=invoiced_year,
        drafts=counts.get(Status.DRAFT.value, 0),
        pending_approval=counts.get(Status.PENDING_APPROVAL.value, 0),
        aged=receivables.aged,
        by_status=by_status,
        recent=list(documents.select_related("customer").only(*ROW_FIELDS).order_by("-created_at")[:10]),
    )

"""Figures for the dashboard: what is owed and late (the receivables selector), what was invoiced;
and the tail of a customer's statement of account for the customer page.

Read-only and tenant-scoped: every query starts from the entity.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When, Window
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.invoicing.aggregates import IN_PREPARATION
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.read_aggregates import SalesByMonth, StatusCount
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer
from facturier.payments.models import OpenItem, Payment
from facturier.payments.selectors import StatementLine, is_overdue, receivables_of, statement_order
from facturier.web.access import of_entity
from facturier.web.labels import status_text

__all__ = ["Dashboard", "dashboard_for", "entity_today", "is_overdue", "statement_tail"]

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
        recent=list(documents.select_related("customer").order_by("-created_at")[:10]),
    )


def statement_tail(customer: Customer, last: int = 20) -> tuple[list[StatementLine], bool]:
    """The last `last` lines of `payments.selectors.statement_of_account` (same lines, same order, same
    running balance), and whether earlier lines exist: three queries whatever the customer's history, the
    latest `last` + 1 rows of each source in the statement's order, each with the sum of all its rows
    (a window over the customer's rows) for the balance before them."""
    issued = Document.objects.filter(customer=customer, kind=Kind.INVOICE, seal_hash__gt="")
    credit_note = Q(type_code=TypeCode.CREDIT_NOTE)
    payments = Payment.objects.filter(customer=customer, reversed_at__isnull=True, credit_note__isnull=True)
    items = OpenItem.objects.filter(customer=customer)

    totals: list[Decimal] = []

    def latest(rows: Any, day: str, no_debit: Q, signed: Any) -> list[Any]:
        rows = rows.annotate(
            no_debit=Case(When(no_debit, then=Value(1)), default=Value(0)),
            total=Window(Sum(signed, output_field=AMOUNT)),
        )
        page = list(rows.order_by(f"-{day}", "-no_debit", "-created_at")[: last + 1])
        totals.append(page[0].total if page else ZERO)
        return page

    movements: list[tuple[dt.date, str, str, Decimal, Decimal, dt.datetime]] = []
    fields = ("kind", "issue_date", "number", "type_code", "payable", "tax_inclusive", "created_at")
    signed = Case(When(credit_note, then=-F("tax_inclusive")), default=F("payable"))
    for document in latest(issued.only(*fields), "issue_date", credit_note | Q(payable=0), signed):
        debit, credit = (
            (ZERO, document.tax_inclusive) if document.is_credit_note else (document.payable, ZERO)
        )
        movements.append((document.issue_date, str(document.noun), document.number, debit, credit,
                          document.created_at))  # fmt: skip
    for item in latest(items, "issue_date", Q(amount=0), F("amount")):
        movements.append((item.issue_date, str(_("Invoice (before Facturier)")), item.number, item.amount, ZERO,
                          item.created_at))  # fmt: skip
    for payment in latest(payments, "received_on", Q(amount__gte=0), -F("amount")):
        label = _("Payment") if payment.amount > 0 else _("Refund")
        debit, credit = (ZERO, payment.amount) if payment.amount > 0 else (-payment.amount, ZERO)
        movements.append(
            (payment.received_on, str(label), payment.reference, debit, credit, payment.created_at)
        )
    movements.sort(key=statement_order)
    earlier = len(movements) > last
    movements = movements[-last:] if last else []
    balance = sum(totals, ZERO) - sum(
        (debit - credit for _day, _label, _reference, debit, credit, _created in movements), ZERO
    )
    lines = []
    for day, label, reference, debit, credit, _created in movements:
        balance += debit - credit
        lines.append(StatementLine(day, label, reference, debit, credit, balance))
    return lines, earlier

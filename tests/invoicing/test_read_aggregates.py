"""The dashboard's aggregates (kept by database triggers) always equal a recomputation from the documents
and allocations, whatever sequence of service calls wrote them (issue 9)."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.common.errors import BusinessError
from facturier.invoicing import aggregates
from facturier.invoicing.aggregates import IN_PREPARATION
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.invoicing.read_aggregates import ReceivableByDue, ReceivableOpen, SalesByMonth, StatusCount
from facturier.invoicing.services import (
    LineData,
    credit_note_create,
    document_create,
    document_delete_draft,
    invoice_dispute,
    invoice_issue,
    invoice_mark_sent,
    invoice_resolve_dispute,
)
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import open_items, receivables_of
from facturier.payments.services import allocation_remove, payment_record_for_invoice, payment_reverse
from facturier.web.receivables import invoiced_since, sales_of

ISSUED_ON = dt.date(2026, 3, 6)
OPERATIONS = ("issue", "draft", "delete_draft", "pay", "reverse", "unallocate", "credit", "send", "dispute",
              "resolve", "deposit", "final")  # fmt: skip
# issue dates of the steps: two months of one year, and the year before
ISSUE_DATES = (ISSUED_ON, dt.date(2026, 2, 27), dt.date(2025, 12, 31))


def _nth(rows, n):
    rows = list(rows)
    return rows[n % len(rows)] if rows else None


def _apply(operation: str, n: int, amount: Decimal, *, entity, customer, product, owner) -> None:
    invoices = Document.objects.filter(entity=entity, kind=Kind.INVOICE).order_by("created_at", "id")
    issued = invoices.filter(seal_hash__gt="").exclude(type_code="381")
    lines = [LineData(product=product, quantity=Decimal(1 + n % 4))]
    issue_date = ISSUE_DATES[n % len(ISSUE_DATES)]
    if operation in ("issue", "draft", "deposit"):
        type_code = TypeCode.DEPOSIT if operation == "deposit" else TypeCode.COMMERCIAL
        invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines,
                                  type_code=type_code)  # fmt: skip
        if operation != "draft":
            invoice_issue(invoice=invoice, by=owner, issue_date=issue_date)
    elif operation == "final" and (deposit := _nth(issued.filter(type_code=TypeCode.DEPOSIT), n)):
        lines = [LineData(product=product, quantity=Decimal(5))]
        final = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines,
                                deposits=[deposit])  # fmt: skip
        if n % 2:
            invoice_issue(invoice=final, by=owner, issue_date=issue_date)
    elif operation == "delete_draft" and (draft := _nth(invoices.filter(seal_hash=""), n)):
        document_delete_draft(document=draft, by=owner)
    elif operation == "pay" and (invoice := _nth(issued, n)):
        payment_record_for_invoice(invoice=invoice, amount=amount, received_on=ISSUED_ON, by=owner)
    elif operation == "reverse" and (payment := _nth(Payment.objects.filter(entity=entity, amount__gt=0,
                                                                             reversed_at__isnull=True)
                                                      .order_by("created_at", "id"), n)):  # fmt: skip
        payment_reverse(payment=payment, by=owner, reason="test")
    elif operation == "unallocate" and (allocation := _nth(Allocation.objects.filter(
            entity=entity, document__isnull=False).order_by("id"), n)):  # fmt: skip
        allocation_remove(allocation=allocation, by=owner)
    elif operation == "credit" and (invoice := _nth(issued, n)):
        credit_note = credit_note_create(invoice=invoice, by=owner)
        if n % 3:
            invoice_issue(invoice=credit_note, by=owner, issue_date=issue_date)
    elif operation in ("send", "dispute", "resolve") and (invoice := _nth(issued, n)):
        if operation == "send":
            invoice_mark_sent(invoice=invoice, by=owner)
        elif operation == "dispute":
            invoice_dispute(invoice=invoice, by=owner, reason="test")
        else:
            invoice_resolve_dispute(invoice=invoice, by=owner)


def _monthly_sales(entity) -> dict:
    return {
        (month, currency): cents
        for month, currency, cents in SalesByMonth.objects.filter(entity=entity).values("month", "currency")
        .annotate(c=Sum("cents")).values_list("month", "currency", "c")
        if cents
    }  # fmt: skip


def _maintained(entity) -> tuple[dict, dict, dict, dict]:
    open_rows = dict(ReceivableOpen.objects.filter(entity=entity).values_list("document_id", "cents"))
    by_due = {
        due: (cents, count)
        for due, cents, count in ReceivableByDue.objects.filter(entity=entity).values("due_date")
        .annotate(c=Sum("cents"), k=Sum("n")).values_list("due_date", "c", "k")
        if count
    }  # fmt: skip
    counts = Counter()
    for kind, status, n in StatusCount.objects.filter(entity=entity).values_list("kind", "status", "n"):
        counts[(kind, status)] += n
    return open_rows, by_due, {key: n for key, n in counts.items() if n}, _monthly_sales(entity)


def _assert_maintained_equals_recomputed(entity) -> None:
    open_rows, by_due, counts, _sales = _maintained(entity)
    owed = {row.pk: int(row.balance * 100) for row in open_items(entity)}
    assert open_rows == owed
    assert sum(cents for cents, _n in by_due.values()) == sum(owed.values())
    assert sum(n for _cents, n in by_due.values()) == len(owed)
    assert counts == {
        (kind, status): n
        for kind, status, n in Document.objects.filter(entity=entity).exclude(status__in=IN_PREPARATION)
        .values_list("kind", "status")
        .annotate(n=Count("*")).order_by()
    }  # fmt: skip
    for today in (ISSUED_ON, ISSUED_ON + dt.timedelta(days=45), ISSUED_ON + dt.timedelta(days=200)):
        assert receivables_of(entity, today) == receivables_of(entity, today, recompute=True)
    # the month's and year's sales read from the monthly sums equal the sums of the documents
    for today in (dt.date(2026, 3, 31), dt.date(2026, 2, 28), dt.date(2025, 12, 31), dt.date(2027, 1, 31)):
        month, year = today.replace(day=1), today.replace(month=1, day=1)
        recomputed = invoiced_since(entity, {"month": month, "year": year}, today, currency="EUR")
        assert sales_of(entity, today, "EUR") == (recomputed["month"], recomputed["year"])


@pytest.mark.slow
@time_machine.travel(ISSUED_ON, tick=False)
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 40),
                  st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1500.00"), places=2)),
        min_size=1, max_size=10,
    )
)  # fmt: skip
def test_aggregates_equal_a_recomputation_after_any_sequence_of_service_calls(
    steps, entity, customer, product, owner
):
    # given whatever the earlier examples left, when the services run these steps (refused ones included)
    for operation, n, amount in steps:
        try:
            _apply(operation, n, amount, entity=entity, customer=customer, product=product, owner=owner)
        except BusinessError:
            pass
    # then the maintained aggregates equal what the documents and allocations say
    _assert_maintained_equals_recomputed(entity)
    # and a rebuild from scratch changes nothing
    before = _maintained(entity)
    aggregates.rebuild()
    assert _maintained(entity) == before


@time_machine.travel(ISSUED_ON, tick=False)
def test_issuing_paying_and_crediting_move_the_dashboard_figures(entity, customer, product, owner):
    # given an issued invoice of 1,020.00
    lines = [LineData(product=product, quantity=Decimal(1))]
    invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines)
    assert receivables_of(entity, ISSUED_ON).outstanding == 0
    invoice = invoice_issue(invoice=invoice, by=owner, issue_date=ISSUED_ON)
    assert receivables_of(entity, ISSUED_ON).outstanding == invoice.payable
    # when part of it is paid, then what is outstanding drops by as much
    payment_record_for_invoice(invoice=invoice, amount=Decimal("20.00"), received_on=ISSUED_ON, by=owner)
    assert receivables_of(entity, ISSUED_ON).outstanding == invoice.payable - Decimal("20.00")
    # when the rest is credited, then nothing is outstanding and nothing is counted overdue
    credit_note = credit_note_create(invoice=invoice, by=owner)
    invoice_issue(invoice=credit_note, by=owner, issue_date=ISSUED_ON)
    figures = receivables_of(entity, ISSUED_ON + dt.timedelta(days=400))
    assert (figures.outstanding, figures.overdue_count) == (Decimal("0.00"), 0)
    _assert_maintained_equals_recomputed(entity)


@time_machine.travel(ISSUED_ON, tick=False)
def test_month_and_year_sales_follow_issues_deposits_and_credit_notes(entity, customer, product, owner):
    def issued(type_code=TypeCode.COMMERCIAL, on=ISSUED_ON, **extra):
        lines = [LineData(product=product, quantity=Decimal(1))]
        document = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines,
                                   type_code=type_code, **extra)  # fmt: skip
        return invoice_issue(invoice=document, by=owner, issue_date=on)

    # given an invoice issued in February and a deposit invoice in March
    february = issued(on=dt.date(2026, 2, 10))
    deposit = issued(TypeCode.DEPOSIT)
    assert sales_of(entity, ISSUED_ON, "EUR") == (
        deposit.tax_exclusive,
        february.tax_exclusive + deposit.tax_exclusive,
    )
    # when a final invoice deducting the deposit is issued, then only the final invoice counts
    final = issued(deposits=[deposit])
    assert sales_of(entity, ISSUED_ON, "EUR") == (
        final.tax_exclusive,
        february.tax_exclusive + final.tax_exclusive,
    )
    # when the February invoice is credited in March, then March's sales drop by as much
    credit_note = invoice_issue(
        invoice=credit_note_create(invoice=february, by=owner), by=owner, issue_date=ISSUED_ON
    )
    month, year = sales_of(entity, ISSUED_ON, "EUR")
    assert (month, year) == (final.tax_exclusive - credit_note.tax_exclusive, final.tax_exclusive)
    recomputed = invoiced_since(
        entity, {"month": dt.date(2026, 3, 1), "year": dt.date(2026, 1, 1)}, ISSUED_ON
    )
    assert (month, year) == (recomputed["month"], recomputed["year"])
    _assert_maintained_equals_recomputed(entity)

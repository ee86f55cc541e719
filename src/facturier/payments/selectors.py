"""The one receivables selector: what each customer owes, on which document, since when.

Settlement is derived, never stored: a document's balance is its amount due (BT-115) less the
payments allocated to it and the issued credit notes that refer to it (BT-25). Every figure here is
one SQL query whatever the history's size: balances are correlated sub-queries, the aged balance a
conditional aggregate, so the dashboard, the API and later collections read the same numbers.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db import connections, models
from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When, Window
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.invoicing.read_aggregates import NOT_DUE, ReceivableByDue
from facturier.parties.models import Customer
from facturier.payments.models import Allocation, OpenItem, Payment

ZERO = Decimal("0.00")
AMOUNT = DecimalField(max_digits=20, decimal_places=2)
AGE_BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")


class Settlement(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    PARTIALLY_PAID = "partially_paid", _("Partially paid")
    PAID = "paid", _("Paid")
    OVERPAID = "overpaid", _("Overpaid")


def sum_of(queryset: QuerySet, group: str, column: Any) -> Coalesce:  # type: ignore[type-arg]
    """SUM(column) of the rows of `queryset` grouped by `group`, as a correlated sub-query (0 when none)."""
    total = queryset.values(group).annotate(total=Sum(column, output_field=AMOUNT)).values("total")[:1]
    return Coalesce(Subquery(total, output_field=AMOUNT), Value(ZERO), output_field=AMOUNT)


# What an allocation settles: the money applied plus any exchange difference written off with it.
SETTLED = F("amount") + F("difference")

# Documents annotated by `with_settlement` (typed loosely: django-stubs cannot see annotations).
SettledDocuments = QuerySet[Any]


def with_settled_amounts(documents: QuerySet[Document]) -> SettledDocuments:
    """Annotate `paid_amount` and `credited_amount` only (the two sub-queries of `with_settlement`), for
    the lists that show each row's settlement: `settle` then sets `balance` and `settlement` in Python.

    `with_settlement` writes `balance` and `settlement` as SQL expressions that repeat both sub-queries,
    and Django builds and compiles them again at each use: about 3 ms of CPU per query, more than the rest
    of a list's query (issue 9). Filters on the settlement (`settled_as`, `still_owed`) still need it."""
    paid = sum_of(Allocation.objects.filter(document=OuterRef("pk")), "document", SETTLED)
    credited = sum_of(
        Document.objects.filter(
            preceding_invoice=OuterRef("pk"), type_code=TypeCode.CREDIT_NOTE, seal_hash__gt=""
        ),
        "preceding_invoice",
        "tax_inclusive",
    )
    return documents.annotate(paid_amount=paid, credited_amount=credited)


def settlement_for(payable: Decimal, paid: Decimal, credited: Decimal) -> Settlement:
    """What `with_settlement`'s `settlement` says, for amounts already read (the same cases, in order)."""
    balance = payable - paid - credited
    if paid == 0 and credited == 0 and payable > 0:
        return Settlement.UNPAID
    if balance > 0:
        return Settlement.PARTIALLY_PAID
    return Settlement.PAID if balance == 0 else Settlement.OVERPAID


def settle(documents: Iterable[Any]) -> None:
    """Set `balance` and `settlement` (its value, as `with_settlement` gives it) on documents read with
    `with_settled_amounts` (or `with_settlement`: the same values again)."""
    for document in documents:
        paid, credited = document.paid_amount, document.credited_amount
        document.balance = document.payable - paid - credited
        document.settlement = settlement_for(document.payable, paid, credited).value


def with_settlement(documents: QuerySet[Document]) -> SettledDocuments:
    """Annotate `paid_amount`, `credited_amount`, `balance` and `settlement` on each document."""
    amounts: QuerySet[Document] = with_settled_amounts(documents)
    return amounts.annotate(
        balance=F("payable") - F("paid_amount") - F("credited_amount"),
        settlement=Case(
            When(Q(paid_amount=0, credited_amount=0) & Q(payable__gt=0), then=Value(Settlement.UNPAID.value)),
            When(balance__gt=0, then=Value(Settlement.PARTIALLY_PAID.value)),
            When(balance=0, then=Value(Settlement.PAID.value)),
            default=Value(Settlement.OVERPAID.value),
            output_field=models.CharField(),
        ),
    )


def settled_as(documents: QuerySet[Document], *settlements: str) -> SettledDocuments:
    """Issued documents whose settlement is one of `settlements` (annotated if not yet)."""
    annotated: SettledDocuments = (
        documents if "settlement" in documents.query.annotations else with_settlement(documents)
    )
    return annotated.filter(seal_hash__gt="", settlement__in=settlements)


def still_owed(documents: QuerySet[Document]) -> SettledDocuments:
    """Issued invoices that may be owed and have a balance left (annotated if not yet)."""
    annotated: SettledDocuments = (
        documents if "balance" in documents.query.annotations else with_settlement(documents)
    )
    return annotated.filter(status__in=OPEN_RECEIVABLE, seal_hash__gt="", balance__gt=0)


@dataclass(frozen=True)
class DocumentSettlement:
    payable: Decimal
    paid: Decimal
    credited: Decimal
    balance: Decimal
    settlement: Settlement

    @property
    def settled(self) -> Decimal:
        return self.paid + self.credited


def settlement_of(document: Document) -> DocumentSettlement:
    """How far an issued document is settled, read fresh from the database."""
    row = with_settlement(Document.objects.filter(pk=document.pk)).values(
        "payable", "paid_amount", "credited_amount", "balance", "settlement"
    )[0]
    cent = Decimal("0.01")
    return DocumentSettlement(
        payable=Decimal(row["payable"]).quantize(cent),
        paid=Decimal(row["paid_amount"]).quantize(cent),
        credited=Decimal(row["credited_amount"]).quantize(cent),
        balance=Decimal(row["balance"]).quantize(cent),
        settlement=Settlement(row["settlement"]),
    )


def receivable_invoices(entity: LegalEntity) -> QuerySet[Document]:
    """Issued invoices that can still be owed (credit notes excluded: they reduce what is owed)."""
    return Document.objects.filter(
        entity=entity, kind=Kind.INVOICE, status__in=OPEN_RECEIVABLE, seal_hash__gt=""
    ).exclude(type_code=TypeCode.CREDIT_NOTE)


def open_items(entity: LegalEntity, *, customer: Customer | None = None) -> SettledDocuments:
    """Issued invoices with something still to pay, oldest due first, balances annotated."""
    invoices = receivable_invoices(entity)
    if customer is not None:
        invoices = invoices.filter(customer=customer)
    return still_owed(invoices).order_by("due_date", "issue_date", "number")


def is_overdue(document: Document, today: dt.date) -> bool:
    """Past its due date and still awaiting payment (`balance` annotated, or read fresh)."""
    if document.status not in OPEN_RECEIVABLE or document.is_credit_note or document.due_date is None:
        return False
    balance = getattr(document, "balance", None)
    if balance is None:
        balance = settlement_of(document).balance
    return document.due_date < today and balance > 0


@dataclass(frozen=True)
class Receivables:
    outstanding: Decimal
    overdue: Decimal
    overdue_count: int
    aged: dict[str, Decimal]


def open_items_with_balance(items: QuerySet[OpenItem]) -> QuerySet[Any]:
    """Imported open items annotated with `paid_amount` and `balance` (allocations net of refunds)."""
    paid = sum_of(Allocation.objects.filter(open_item=OuterRef("pk")), "open_item", SETTLED)
    return items.annotate(paid_amount=paid).annotate(balance=F("amount") - F("paid_amount"))


def imported_open_items(entity: LegalEntity, *, customer: Customer | None = None) -> QuerySet[Any]:
    """Imported open items (from the previous tool) with something still to pay, oldest due first."""
    items = OpenItem.objects.filter(entity=entity)
    if customer is not None:
        items = items.filter(customer=customer)
    return open_items_with_balance(items).filter(balance__gt=0).order_by("due_date", "number")


def _open_balances_sql(entity: LegalEntity, *, customer: Customer | None) -> tuple[str, list[Any]]:
    """(due_date, cents, n) of every invoice still owed, recomputed from the documents: the open
    invoices LEFT JOINed to two grouped sums (payments allocated per invoice, issued credit notes per
    invoice), one pass over each table rather than two correlated sub-queries per invoice."""
    invoices = receivable_invoices(entity)
    allocations = Allocation.objects.filter(entity=entity, document__isnull=False)
    credit_notes = Document.objects.filter(
        entity=entity, kind=Kind.INVOICE, type_code=TypeCode.CREDIT_NOTE, seal_hash__gt="",
        preceding_invoice__isnull=False,
    )  # fmt: skip
    if customer is not None:
        invoices = invoices.filter(customer=customer)
        allocations = allocations.filter(document__customer=customer)
        credit_notes = credit_notes.filter(customer=customer)
    open_sql, open_params = invoices.order_by().values("id", "due_date", "payable").query.sql_with_params()
    paid_sql, paid_params = (
        allocations.order_by().values("document_id").annotate(total=Sum(SETTLED)).query.sql_with_params()
    )
    credited_sql, credited_params = (
        credit_notes.order_by().values("preceding_invoice_id").annotate(total=Sum("tax_inclusive"))
        .query.sql_with_params()
    )  # fmt: skip
    sql = (
        "SELECT r.due_date, r.cents, 1 AS n FROM ("  # noqa: S608 - the ORM's own compiled SQL
        " SELECT i.due_date,"
        " CAST(ROUND((i.payable - COALESCE(p.total, 0) - COALESCE(c.total, 0)) * 100) AS BIGINT) AS cents"
        f" FROM ({open_sql}) i LEFT JOIN ({paid_sql}) p ON p.document_id = i.id"
        f" LEFT JOIN ({credited_sql}) c ON c.preceding_invoice_id = i.id) r"
    )
    return sql, [*open_params, *paid_params, *credited_params]


def _maintained_balances_sql(entity: LegalEntity) -> tuple[str, list[Any]]:
    """(due_date, cents, n) per due date, from the aggregate the database keeps up to date
    (`invoicing.read_aggregates.ReceivableByDue`): a few rows per day of due dates, not per invoice."""
    sql, params = (
        ReceivableByDue.objects.filter(entity=entity, n__gt=0)
        .values("due_date", "cents", "n")
        .order_by()
        .query.sql_with_params()
    )
    return sql, list(params)


def receivables_of(
    entity: LegalEntity, today: dt.date, *, customer: Customer | None = None, recompute: bool = False
) -> Receivables:
    """Outstanding, overdue and the aged balance (days past due) in one aggregate query.

    For a whole entity the balances come from the maintained per-due-date aggregate (issue 9: the
    dashboard at 1M invoices reads a few thousand rows at most); for one customer, or with
    `recompute=True`, they are recomputed from the documents and allocations. Same figures as
    `open_items` (balance > 0), which lists them. Imported open items (`OpenItem`, from a previous
    tool; a bounded set) join them by UNION ALL.
    """
    if customer is None and not recompute:
        balances_sql, balances_params = _maintained_balances_sql(entity)
    else:
        balances_sql, balances_params = _open_balances_sql(entity, customer=customer)
    imported_sql, imported_params = (
        imported_open_items(entity, customer=customer)
        .order_by()
        .values("due_date", "balance")
        .query.sql_with_params()
    )
    not_due = f"(o.due_date >= %s OR o.due_date IS NULL OR o.due_date = '{NOT_DUE}')"
    late = f"(o.due_date < %s AND o.due_date <> '{NOT_DUE}')"
    bands = {
        "not_due": (not_due, [today]),
        "1_30": ("o.due_date <= %s AND o.due_date > %s", [today - dt.timedelta(days=1), today - dt.timedelta(days=31)]),
        "31_60": ("o.due_date <= %s AND o.due_date > %s", [today - dt.timedelta(days=31), today - dt.timedelta(days=61)]),
        "61_90": ("o.due_date <= %s AND o.due_date > %s", [today - dt.timedelta(days=61), today - dt.timedelta(days=91)]),
        "over_90": (f"o.due_date <= %s AND o.due_date <> '{NOT_DUE}'", [today - dt.timedelta(days=91)]),
    }  # fmt: skip
    columns = ", ".join(
        f"SUM(CASE WHEN {condition} THEN o.cents END)" for condition, _params in bands.values()
    )
    # only constant fragments and the ORM's own compiled SQL are put together: every value is a parameter
    sql = (
        f"SELECT SUM(o.cents), SUM(CASE WHEN {late} THEN o.cents END), "  # noqa: S608
        f"SUM(CASE WHEN {late} THEN o.n END), {columns} FROM ("
        f" SELECT b.due_date, b.cents, b.n FROM ({balances_sql}) b"
        f" UNION ALL SELECT m.due_date, CAST(ROUND(m.balance * 100) AS BIGINT), 1 FROM ({imported_sql}) m"
        f") o WHERE o.cents > 0"
    )
    params = [today, today, *(p for _condition, values in bands.values() for p in values),
              *balances_params, *imported_params]  # fmt: skip
    with connections[Document.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    cent = Decimal("0.01")

    def amount(value: Any) -> Decimal:
        return (Decimal(int(value)) / 100 if value is not None else ZERO).quantize(cent)

    outstanding, overdue, overdue_count, *aged = row
    return Receivables(
        outstanding=amount(outstanding),
        overdue=amount(overdue),
        overdue_count=int(overdue_count or 0),
        aged={name: amount(value) for name, value in zip(AGE_BUCKETS, aged, strict=True)},
    )


def unallocated_credit(customer: Customer) -> Decimal:
    """Money received from the customer and not yet applied to any document (their credit with us)."""
    allocated = sum_of(Allocation.objects.filter(payment=OuterRef("pk")), "payment", "amount")
    payments = Payment.objects.filter(customer=customer, reversed_at__isnull=True).annotate(
        allocated=allocated
    )  # a refund is a negative payment: it uses up credit
    total = payments.aggregate(total=Sum(F("amount") - F("allocated"), output_field=AMOUNT))["total"]
    return Decimal(total or ZERO).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class StatementLine:
    day: dt.date
    label: str
    reference: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


Movement = tuple[dt.date, str, str, Decimal, Decimal, dt.datetime]
"""One statement row before its balance: day, label, reference, debit, credit, recorded at."""
_ISSUED_FIELDS = ("kind", "issue_date", "number", "type_code", "payable", "tax_inclusive", "created_at")


def _statement_sources(
    customer: Customer,
) -> tuple[QuerySet[Document], QuerySet[OpenItem], QuerySet[Payment]]:
    """What a statement of account lists: issued invoices and credit notes, invoices from before
    Facturier, and payments. A credit note applied to other invoices is already on the statement as the
    credit note itself, so its payment row is not."""
    issued = Document.objects.filter(customer=customer, kind=Kind.INVOICE, seal_hash__gt="").only(
        *_ISSUED_FIELDS
    )
    payments = Payment.objects.filter(customer=customer, reversed_at__isnull=True, credit_note__isnull=True)
    return issued, OpenItem.objects.filter(customer=customer), payments


def _document_movement(document: Document) -> Movement:
    debit, credit = (ZERO, document.tax_inclusive) if document.is_credit_note else (document.payable, ZERO)
    day = cast(dt.date, document.issue_date)  # an issued document is always dated
    return day, str(document.noun), document.number, debit, credit, document.created_at


def _item_movement(item: OpenItem) -> Movement:
    return (
        item.issue_date,
        str(_("Invoice (before Facturier)")),
        item.number,
        item.amount,
        ZERO,
        item.created_at,
    )


def _payment_movement(payment: Payment) -> Movement:
    if payment.amount > 0:
        return (
            payment.received_on,
            str(_("Payment")),
            payment.reference,
            ZERO,
            payment.amount,
            payment.created_at,
        )
    return payment.received_on, str(_("Refund")), payment.reference, -payment.amount, ZERO, payment.created_at


def _with_balance(movements: list[Movement], opening: Decimal) -> list[StatementLine]:
    balance = opening
    lines = []
    for day, label, reference, debit, credit, _created in movements:
        balance += debit - credit
        lines.append(StatementLine(day, label, reference, debit, credit, balance))
    return lines


def statement_of_account(customer: Customer) -> list[StatementLine]:
    """Every issued invoice (debit), credit note and payment (credit) of a customer, with a running balance:
    by day, debits before credits, then in the order they were recorded (`statement_tail` reads the last
    lines in the same order)."""
    issued, items, payments = _statement_sources(customer)
    movements = [_document_movement(document) for document in issued]
    movements += [_item_movement(item) for item in items]
    movements += [_payment_movement(payment) for payment in payments]
    movements.sort(key=statement_order)
    return _with_balance(movements, ZERO)


def statement_tail(customer: Customer, last: int = 20) -> tuple[list[StatementLine], bool]:
    """The last `last` lines of `statement_of_account` (same lines, same order, same running balance), and
    whether earlier lines exist: three queries whatever the customer's history, the latest `last` + 1 rows
    of each source in the statement's order, each with the sum of all its rows (a window over the
    customer's rows) for the balance before them."""
    issued, items, payments = _statement_sources(customer)
    totals: list[Decimal] = []

    def latest(rows: Any, day: str, no_debit: Q, signed: Any) -> list[Any]:
        rows = rows.annotate(
            no_debit=Case(When(no_debit, then=Value(1)), default=Value(0)),
            total=Window(Sum(signed, output_field=AMOUNT)),
        )
        page = list(rows.order_by(f"-{day}", "-no_debit", "-created_at")[: last + 1])
        totals.append(page[0].total if page else ZERO)
        return page

    credit_note = Q(type_code=TypeCode.CREDIT_NOTE)
    signed = Case(When(credit_note, then=-F("tax_inclusive")), default=F("payable"))
    movements = [
        _document_movement(document)
        for document in latest(issued, "issue_date", credit_note | Q(payable=0), signed)
    ]
    movements += [_item_movement(item) for item in latest(items, "issue_date", Q(amount=0), F("amount"))]
    movements += [
        _payment_movement(payment)
        for payment in latest(payments, "received_on", Q(amount__gte=0), -F("amount"))
    ]
    movements.sort(key=statement_order)
    earlier = len(movements) > last
    movements = movements[-last:] if last else []
    shown = sum((debit - credit for _day, _label, _reference, debit, credit, _created in movements), ZERO)
    return _with_balance(movements, sum(totals, ZERO) - shown), earlier


def statement_order(movement: Movement) -> tuple[Any, ...]:
    """The order of a statement: by day, debits before credits, then as recorded."""
    return (movement[0], movement[3] == ZERO, movement[5])


def payment_list(
    *,
    entity: LegalEntity,
    customer: Customer | None = None,
    method: str = "",
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    state: str = "",
    search: str = "",
) -> QuerySet[Any]:
    """The entity's payments, newest first, with `allocated` (net of refunds) annotated.

    `state`: `unallocated` (money left as credit), `allocated` (fully), `refund`, `reversed`.
    """
    allocated = sum_of(Allocation.objects.filter(payment=OuterRef("pk")), "payment", "amount")
    payments = (
        Payment.objects.filter(entity=entity)
        .select_related("customer", "credit_note")
        .annotate(allocated=allocated)
        .annotate(left=F("amount") - F("allocated"))
    )
    if customer is not None:
        payments = payments.filter(customer=customer)
    if method:
        payments = payments.filter(method=method)
    if received_from is not None:
        payments = payments.filter(received_on__gte=received_from)
    if received_to is not None:
        payments = payments.filter(received_on__lte=received_to)
    if search:
        payments = payments.filter(
            Q(reference__icontains=search) | Q(payer__icontains=search) | Q(customer__name__icontains=search)
        )
    live = payments.filter(reversed_at__isnull=True)
    match state:
        case "unallocated":
            payments = live.filter(amount__gt=0).filter(amount__gt=F("allocated"))
        case "allocated":
            payments = live.filter(amount__gt=0, amount=F("allocated"))
        case "refund":
            payments = live.filter(amount__lt=0)
        case "reversed":
            payments = payments.filter(reversed_at__isnull=False)
    ordered: QuerySet[Any] = payments.order_by("-received_on", "-created_at")
    return ordered


def payment_get(*, entity: LegalEntity, pk: Any) -> Payment:
    """One payment of `entity`; another entity's is as unknown as a missing one."""
    from facturier.common.lookup import get_visible

    payment: Payment = get_visible(
        Payment.objects.filter(entity=entity).select_related("customer", "credit_note"), pk,
        message=str(_("Unknown payment.")), code="payment_not_found",
    )  # fmt: skip
    return payment


def allocations_of(payment: Payment) -> QuerySet[Allocation]:
    return payment.allocations.select_related("document", "open_item").order_by("created_at")


def payable_targets(entity: LegalEntity, customer: Customer) -> list[Any]:
    """What a payment of `customer` can be allocated to: their open invoices, then imported open items."""
    return [*open_items(entity, customer=customer), *imported_open_items(entity, customer=customer)]


def overpaid_invoices(entity: LegalEntity, customer: Customer) -> SettledDocuments:
    """The customer's issued invoices that received more than they now owe (paid, then credited): a
    refund on one of them gives the excess back."""
    invoices = Document.objects.filter(entity=entity, customer=customer, kind=Kind.INVOICE).exclude(
        type_code=TypeCode.CREDIT_NOTE
    )
    return settled_as(invoices, Settlement.OVERPAID.value).order_by("issue_date", "number")


def credit_currencies(customer: Customer) -> list[str]:
    """The currencies the customer ever paid in (where they may have credit), the usual one first."""
    used = set(Payment.objects.filter(customer=customer).values_list("currency", flat=True).distinct())
    return sorted(used, key=lambda code: (code != customer.entity.default_currency, code))

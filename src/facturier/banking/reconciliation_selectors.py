"""What the reconciliation screen reads: the lines left to decide, what is left in counts and amounts,
the open items a clerk searches (customer name, invoice number or amount), and the recent decisions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from facturier.accounts.models import LegalEntity
from facturier.banking.models import BankLine, LineStatus, Reconciliation
from facturier.banking.reconciliation import DOCUMENT_PREFIX, OPEN_ITEM_PREFIX, OPEN_STATUSES
from facturier.common.errors import NotFound
from facturier.payments.selectors import imported_open_items, open_items

SEARCH_LIMIT = 25


def lines_to_reconcile(*, entity: LegalEntity) -> QuerySet[BankLine]:
    """Credit lines still open, proposals first (most confident first), then by date."""
    return (
        BankLine.objects.filter(entity=entity, status__in=OPEN_STATUSES, amount__gt=0)
        .select_related("account")
        .order_by("status", F("score").desc(nulls_last=True), "booking_date", "created_at")
    )  # "proposed" sorts before "unreconciled"


def line_get(*, entity: LegalEntity, pk: Any) -> BankLine:
    line: BankLine | None = BankLine.objects.filter(entity=entity, pk=pk).select_related("account").first()
    if line is None:
        raise NotFound("Unknown bank line.")
    return line


@dataclass(frozen=True)
class Left:
    count: int
    amount: Decimal
    proposed: int
    proposed_amount: Decimal
    confident: int


def left_to_reconcile(*, entity: LegalEntity, confident: Decimal) -> Left:
    """How many credit lines and how much money are still to decide (one aggregate query)."""
    lines = BankLine.objects.filter(entity=entity, status__in=OPEN_STATUSES, amount__gt=0)
    row = lines.aggregate(
        n=Count("pk"), total=Sum("amount"),
        n_proposed=Count("pk", filter=Q(status=LineStatus.PROPOSED)),
        total_proposed=Sum("amount", filter=Q(status=LineStatus.PROPOSED)),
        n_confident=Count("pk", filter=Q(status=LineStatus.PROPOSED, score__gte=confident)),
    )  # fmt: skip
    return Left(
        count=row["n"], amount=row["total"] or Decimal("0.00"), proposed=row["n_proposed"],
        proposed_amount=row["total_proposed"] or Decimal("0.00"), confident=row["n_confident"],
    )  # fmt: skip


def recent_decisions(*, entity: LegalEntity, limit: int = 20) -> QuerySet[Reconciliation]:
    return (
        Reconciliation.objects.filter(entity=entity, undone_at__isnull=True)
        .select_related("line", "payment")
        .order_by("-created_at")[:limit]
    )


@dataclass(frozen=True)
class Candidate:
    key: str
    number: str
    customer: str
    due_date: Any
    balance: Decimal
    currency: str


def search_open_items(*, entity: LegalEntity, query: str, limit: int = SEARCH_LIMIT) -> list[Candidate]:
    """Open invoices and imported open items whose customer or number contains `query`, or owing it."""
    query = query.strip()
    documents = open_items(entity).select_related("customer")
    imported = imported_open_items(entity).select_related("customer")
    if query:
        try:
            amount = Decimal(query.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            amount = None
        text = Q(number__icontains=query) | Q(customer__name__icontains=query)
        documents = documents.filter(
            text | (Q(balance=amount) | Q(payable=amount) if amount is not None else Q())
        )
        imported = imported.filter(
            text | (Q(balance=amount) | Q(amount=amount) if amount is not None else Q())
        )
    found = [
        Candidate(
            f"{DOCUMENT_PREFIX}{doc.pk}",
            doc.number,
            doc.customer.name,
            doc.due_date,
            Decimal(doc.balance).quantize(Decimal("0.01")),
            doc.currency,
        )  # fmt: skip
        for doc in documents[:limit]
    ]
    found += [
        Candidate(
            f"{OPEN_ITEM_PREFIX}{item.pk}",
            item.number,
            item.customer.name,
            item.due_date,
            Decimal(item.balance).quantize(Decimal("0.01")),
            item.currency,
        )  # fmt: skip
        for item in imported[: max(limit - len(found), 0)]
    ]
    return found


def candidates_for(*, entity: LegalEntity, keys: list[str]) -> list[Candidate]:
    """The open items a proposal names (still open), in the proposal's order."""
    docs = [key.removeprefix(DOCUMENT_PREFIX) for key in keys if key.startswith(DOCUMENT_PREFIX)]
    opens = [key.removeprefix(OPEN_ITEM_PREFIX) for key in keys if key.startswith(OPEN_ITEM_PREFIX)]
    found = {
        f"{DOCUMENT_PREFIX}{doc.pk}": Candidate(f"{DOCUMENT_PREFIX}{doc.pk}", doc.number, doc.customer.name,
                                                doc.due_date, Decimal(doc.balance).quantize(Decimal("0.01")), doc.currency)
        for doc in open_items(entity).filter(pk__in=docs).select_related("customer")
    }  # fmt: skip
    found |= {
        f"{OPEN_ITEM_PREFIX}{item.pk}": Candidate(f"{OPEN_ITEM_PREFIX}{item.pk}", item.number, item.customer.name,
                                                  item.due_date, Decimal(item.balance).quantize(Decimal("0.01")), item.currency)
        for item in imported_open_items(entity).filter(pk__in=opens).select_related("customer")
    }  # fmt: skip
    return [found[key] for key in keys if key in found]

"""What the reconciliation screen reads: the lines left to decide, what is left in counts and amounts,
the open items a clerk searches (customer name, invoice number or amount), and the recent decisions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum

from facturier.accounts.models import LegalEntity
from facturier.banking.models import BankLine, LineStatus, Reconciliation
from facturier.banking.reconciliation import OPEN_STATUSES
from facturier.common.errors import NotFound
from facturier.payments import reconcilable

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


def _candidate(row: dict[str, Any]) -> Candidate:
    return Candidate(
        row["key"], row["number"], row["customer_name"], row["due_date"], row["balance"], row["currency"]
    )


def search_open_items(*, entity: LegalEntity, query: str, limit: int = SEARCH_LIMIT) -> list[Candidate]:
    """Open invoices and imported open items whose customer or number contains `query`, or owing it."""
    return [_candidate(row) for row in reconcilable.search(entity, query, limit)]


def candidates_for(*, entity: LegalEntity, keys: list[str]) -> list[Candidate]:
    """The open items a proposal names (still open), in the proposal's order."""
    return [_candidate(row) for row in reconcilable.rows_for(entity, keys)]

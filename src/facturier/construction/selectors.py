"""Reads of construction contracts, their bill of quantities, situations and retention (tenant-scoped)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from facturier.construction.models import ConstructionContract, Situation, SituationLine
from facturier.domain.construction.progress import line_worth


def construction_contracts_of(*, entity: Any) -> QuerySet[ConstructionContract]:
    contracts: QuerySet[ConstructionContract] = (
        ConstructionContract.objects.filter(entity=entity)
        .select_related("customer")
        .annotate(situation_count=Count("situations", distinct=True))
        .order_by("reference")
    )
    return contracts


def situations_of(contract: ConstructionContract) -> QuerySet[Situation]:
    situations: QuerySet[Situation] = contract.situations.select_related("document").order_by("number")
    return situations


@dataclass(frozen=True)
class BillRow:
    """A line of the bill of quantities with its worth and its progress at the latest situation."""

    line: Any
    worth: Decimal
    latest: SituationLine | None


@dataclass(frozen=True)
class ContractSummary:
    worth: Decimal  # the bill of quantities excluding VAT
    invoiced: Decimal  # excluding VAT, by the invoiced situations
    withheld: Decimal
    rows: list[BillRow]
    pending: Situation | None


def contract_summary(contract: ConstructionContract) -> ContractSummary:
    lines = list(contract.lines.select_related("product").order_by("position"))
    last = contract.situations.order_by("-number").first()
    latest = {sl.line_id: sl for sl in last.lines.all()} if last else {}
    rows = [BillRow(line, line_worth(line.quantity, line.unit_price), latest.get(line.pk)) for line in lines]
    issued = contract.situations.filter(document__isnull=False)
    sums = issued.aggregate(amount=Sum("amount"), retention=Sum("retention"))
    return ContractSummary(
        worth=sum((row.worth for row in rows), Decimal(0)),
        invoiced=Decimal(sums["amount"] or 0),
        withheld=Decimal(sums["retention"] or 0),
        rows=rows,
        pending=contract.situations.filter(document__isnull=True).first(),
    )

"""Reads of contracts and billing runs (tenant-scoped)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet

from facturier.billing.models import BillingRun, Contract, ContractItem


def contracts_of(*, entity: Any) -> QuerySet[Contract]:
    contracts: QuerySet[Contract] = (
        Contract.objects.filter(entity=entity)
        .select_related("customer")
        .annotate(item_count=Count("items"))
        .order_by("reference")
    )
    return contracts


def billing_runs_of(*, entity: Any) -> QuerySet[BillingRun]:
    return BillingRun.objects.filter(entity=entity).order_by("-created_at")


@dataclass(frozen=True)
class UsageRow:
    item: ContractItem
    period_start: dt.date
    period_end: dt.date  # excluded
    quantity: Decimal
    amount: Decimal  # the period's usage priced, rounded
    invoiced: Decimal  # by progressive invoices in the period

    @property
    def last_day(self) -> dt.date:
        return self.period_end - dt.timedelta(days=1)

    @property
    def threshold_share(self) -> int | None:
        """Percent of the threshold reached by what is not invoiced yet (None without a threshold)."""
        item = self.item
        if item.threshold_amount:
            return int((self.amount - self.invoiced) * 100 / item.threshold_amount)
        if item.threshold_quantity:
            return None  # the page shows quantities; the share of a quantity threshold is not computed here
        return None


def current_usage(*, entity: Any, today: dt.date, limit: int = 50) -> list[UsageRow]:
    """The usage of the current period of each metered item in force (a few queries per item: the page
    shows the first ``limit``)."""
    from decimal import ROUND_HALF_UP

    from facturier.billing.metering import aggregated, charged, current_period, item_days, usage_price
    from facturier.domain.billing.proration import CENT

    rows = []
    items = (
        ContractItem.objects.filter(contract__entity=entity, metric__isnull=False)
        .select_related("contract__customer", "contract__entity", "metric")
        .order_by("contract__reference", "pk")
    )
    for item in items[: limit * 2]:
        period = current_period(item, today)
        if period is None:
            continue
        start, end = item_days(item, item.contract, period)
        quantity = aggregated(item, item.contract, start, end)
        amount = usage_price(item, quantity).quantize(CENT, rounding=ROUND_HALF_UP)
        rows.append(
            UsageRow(item, period.start, period.end, quantity, amount, charged(item, period.start)[1])
        )
        if len(rows) >= limit:
            break
    return rows

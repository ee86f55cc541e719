"""Reads of metered usage: the quantity and price of a metered item over a period (no writes).

A metered item (``ContractItem.metric``) bills the period's aggregated usage of its metric by the
contract's customer (events naming another contract excluded), over the days the item was in force,
at its price (per unit, tiered or volume on the aggregated quantity; never prorated: usage is what was
used). The period's instants are the entity's local midnights (`domain.billing.usage.period_instants`),
so 23:30 UTC on the last day of a month belongs to the next month in Paris, and DST days have 23 or 25
hours. What progressive invoices (`UsageCharge`) already billed in the period is deducted.

``sum``, ``max`` and ``count`` are read from the daily totals (`UsageDayTotal`, maintained with the
events), so a period costs its days, not its events; ``unique`` and ``last`` read the events.
`aggregated_many` answers for many items in one query (the threshold checks of a batch).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet, Sum

from facturier.billing.models import Contract, ContractItem, UsageCharge, UsageDayTotal, UsageEvent
from facturier.domain.billing.periods import Period
from facturier.domain.billing.pricing import period_price
from facturier.domain.billing.usage import Aggregation, period_instants


def events_of(item: ContractItem, contract: Contract, start: dt.date, end: dt.date) -> QuerySet[UsageEvent]:
    """The usage events of the item's metric for the contract's customer over the days ``[start, end)``."""
    lo, hi = period_instants(start, end, contract.entity.time_zone)
    events: QuerySet[UsageEvent] = UsageEvent.objects.filter(
        metric=item.metric, customer_id=contract.customer_id, occurred_at__gte=lo, occurred_at__lt=hi
    ).filter(Q(contract__isnull=True) | Q(contract_id=contract.pk))
    return events


FROM_TOTALS = frozenset({Aggregation.SUM, Aggregation.MAX, Aggregation.COUNT})

Window = tuple[ContractItem, Contract, dt.date, dt.date]


def aggregated(item: ContractItem, contract: Contract, start: dt.date, end: dt.date) -> Decimal:
    """The aggregated quantity of the metered item over ``[start, end)`` (one query)."""
    return aggregated_many([(item, contract, start, end)])[item.pk]


def aggregated_many(windows: Sequence[Window]) -> dict[object, Decimal]:
    """The aggregated quantity of each metered item over its days ``[start, end)``, by item pk: one query
    over the daily totals for every ``sum``/``max``/``count`` item, one per other item."""
    found: dict[object, Decimal] = {}
    totalled = []
    for item, contract, start, end in windows:
        if end <= start or item.metric is None:
            found[item.pk] = Decimal(0)
        elif Aggregation(item.metric.aggregation) in FROM_TOTALS:
            totalled.append((item, contract, start, end))
        else:
            found[item.pk] = _from_events(item, contract, start, end)
    if not totalled:
        return found
    days = UsageDayTotal.objects.filter(
        metric_id__in={item.metric_id for item, *_rest in totalled},
        customer_id__in={contract.customer_id for _item, contract, *_rest in totalled},
        day__gte=min(start for *_rest, start, _end in totalled),
        day__lt=max(end for *_rest, end in totalled),
    ).values_list("metric_id", "customer_id", "contract_id", "day", "count", "total", "peak")
    by_key: dict[tuple[object, object], list[tuple[Any, ...]]] = {}
    for metric_id, customer_id, *rest in days:
        by_key.setdefault((metric_id, customer_id), []).append(tuple(rest))
    for item, contract, start, end in totalled:
        assert item.metric is not None
        kind = Aggregation(item.metric.aggregation)
        rows = [(count, total, peak) for contract_id, day, count, total, peak
                in by_key.get((item.metric_id, contract.customer_id), [])
                if start <= day < end and contract_id in (None, contract.pk)]  # fmt: skip
        if kind is Aggregation.SUM:
            found[item.pk] = sum((Decimal(total) for _count, total, _peak in rows), Decimal(0))
        elif kind is Aggregation.COUNT:
            found[item.pk] = Decimal(sum(count for count, _total, _peak in rows))
        else:
            found[item.pk] = max((Decimal(peak) for _count, _total, peak in rows), default=Decimal(0))
    return found


def _from_events(item: ContractItem, contract: Contract, start: dt.date, end: dt.date) -> Decimal:
    """``unique`` and ``last``, which daily totals cannot answer, read the events."""
    assert item.metric is not None
    events = events_of(item, contract, start, end)
    kind = Aggregation(item.metric.aggregation)
    if kind is Aggregation.LAST:
        last = (
            events.order_by("-occurred_at", "-created_at", "-id").values_list("quantity", flat=True).first()
        )
        return last if last is not None else Decimal(0)
    function = {
        Aggregation.SUM: Sum("quantity"),
        Aggregation.MAX: Max("quantity"),
        Aggregation.COUNT: Count("id"),
        Aggregation.UNIQUE: Count("dimension", distinct=True),
    }[kind]
    value = events.aggregate(value=function)["value"]
    return Decimal(value or 0)


def item_days(item: ContractItem, contract: Contract, period: Period) -> tuple[dt.date, dt.date]:
    """The days of the period the item (and its contract) was in force: ``[start, end)``, maybe empty."""
    from facturier.billing.compute import service_window

    lo, hi = service_window(contract)
    start = max(period.start, item.start_date, lo)
    ends = [day for day in (period.end, item.end_date, hi) if day is not None]
    return start, max(start, min(ends))


def usage_price(item: ContractItem, quantity: Decimal) -> Decimal:
    """The exact price of a quantity at the item's pricing (a flat metered item is priced per unit)."""
    model = "per_unit" if item.pricing_model == "flat" else item.pricing_model
    return period_price(model, quantity=quantity, unit_price=item.unit_price, tiers=item.tiers)


def charged(item: ContractItem, period_start: dt.date) -> tuple[Decimal, Decimal, int]:
    """What progressive invoices billed for the item in the period: quantity, amount, crossings."""
    return charged_many([(item, period_start)])[(item.pk, period_start)]


def charged_many(
    periods: Sequence[tuple[ContractItem, dt.date]],
) -> dict[tuple[object, dt.date], tuple[Decimal, Decimal, int]]:
    """`charged` for many (item, period start) pairs in one query, by (item pk, period start)."""
    found: dict[tuple[object, dt.date], tuple[Decimal, Decimal, int]] = {
        (item.pk, start): (Decimal(0), Decimal(0), 0) for item, start in periods
    }
    if not periods:
        return found
    rows = (
        UsageCharge.objects.filter(item_id__in={item.pk for item, _start in periods},
                                   period_start__in={start for _item, start in periods})
        .values_list("item_id", "period_start")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"), count=Count("id"))
        .order_by()
    )  # fmt: skip
    for item_id, start, quantity, amount, count in rows:
        if (item_id, start) in found:
            found[(item_id, start)] = (Decimal(quantity or 0), Decimal(amount or 0), int(count or 0))
    return found


def metered_amount(item: ContractItem, contract: Contract, period: Period) -> Decimal:
    """The period's usage amount (rounded once) minus what its progressive invoices already billed."""
    from facturier.domain.billing.proration import CENT

    start, end = item_days(item, contract, period)
    quantity = aggregated(item, contract, start, end)
    total = usage_price(item, quantity).quantize(CENT, rounding=ROUND_HALF_UP)
    return total - charged(item, period.start)[1]


def current_period(item: ContractItem, today: dt.date) -> Period | None:
    """The period of an active contract's item in force on ``today`` (None when it is not in force)."""
    from facturier.billing.compute import service_window
    from facturier.billing.models import ContractStatus
    from facturier.domain.billing.periods import Alignment, parse_frequency, period_containing

    contract = item.contract
    start, end = service_window(contract)
    if today < start or (end is not None and today >= end) or contract.status != ContractStatus.ACTIVE:
        return None
    if today < item.start_date or (item.end_date is not None and today >= item.end_date):
        return None
    return period_containing(parse_frequency(contract.frequency), Alignment(contract.alignment), start, today)

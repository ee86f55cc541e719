"""Usage (metered) arithmetic: aggregate a period's events, place an event in the entity's calendar, and
tell which thresholds and alerts a new total crosses (pure Python, no Django).

An aggregation turns the events of one billing period into the quantity billed: ``sum`` (API calls,
gigabytes transferred), ``max`` (peak seats), ``count`` (events, whatever their quantity), ``unique``
(distinct dimensions: active users) and ``last`` (the latest reading of a meter, by occurrence time,
ties broken by arrival order). Periods are calendar dates of the entity: an event belongs to the day of
its instant in the entity's time zone, so 23:30 UTC on 31 January is 1 February in Paris.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

__all__ = [
    "Aggregation",
    "Reading",
    "aggregate",
    "alerts_reached",
    "local_day",
    "period_instants",
    "threshold_reached",
]


class Aggregation(StrEnum):
    SUM = "sum"
    MAX = "max"
    COUNT = "count"
    UNIQUE = "unique"
    LAST = "last"


@dataclass(frozen=True)
class Reading:
    """One usage event as aggregation sees it."""

    quantity: Decimal
    occurred_at: dt.datetime
    dimension: str = ""
    order: int = 0  # arrival order: breaks ties between readings of the same instant


def aggregate(aggregation: Aggregation | str, readings: Iterable[Reading]) -> Decimal:
    """The quantity of a period from its readings (0 when there is none)."""
    kind = Aggregation(aggregation)
    items = list(readings)
    if not items:
        return Decimal(0)
    if kind is Aggregation.SUM:
        return sum((r.quantity for r in items), Decimal(0))
    if kind is Aggregation.MAX:
        return max(r.quantity for r in items)
    if kind is Aggregation.COUNT:
        return Decimal(len(items))
    if kind is Aggregation.UNIQUE:
        return Decimal(len({r.dimension for r in items}))
    return max(items, key=lambda r: (r.occurred_at, r.order)).quantity


def local_day(instant: dt.datetime, time_zone: str) -> dt.date:
    """The calendar day of an aware instant in the entity's time zone."""
    if instant.tzinfo is None:
        raise ValueError("a usage instant carries its time zone")
    return instant.astimezone(ZoneInfo(time_zone)).date()


def period_instants(start: dt.date, end: dt.date, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants ``[from, to)`` of the days ``[start, end)`` in the time zone (DST-safe: local midnights)."""
    zone = ZoneInfo(time_zone)
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=zone).astimezone(dt.UTC),
        dt.datetime.combine(end, dt.time(), tzinfo=zone).astimezone(dt.UTC),
    )


def threshold_reached(uninvoiced: Decimal, threshold: Decimal | None) -> bool:
    """A threshold (amount or quantity not invoiced yet in the period) is crossed once it is reached."""
    return threshold is not None and threshold > 0 and uninvoiced >= threshold


def alerts_reached(uninvoiced: Decimal, threshold: Decimal | None, percents: Sequence[int]) -> list[int]:
    """The alert percentages of the threshold that the measure has reached (each alert is sent once:
    the caller remembers which were)."""
    if threshold is None or threshold <= 0:
        return []
    return sorted({p for p in percents if 0 < p and uninvoiced * 100 >= threshold * p})

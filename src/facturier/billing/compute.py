"""What a contract owes at a date: its due periods and their lines (reads only; services write).

For each period due (billing date on or before the day, not yet in `BilledPeriod`) every item is billed
its exact daily-prorated share of the period (`domain.billing.proration`), rounded once per line. An
item changed after its period was billed (an upgrade in the middle of a month billed in advance, a late
termination) is re-computed: the difference between what is owed now and what was billed is added to
the next invoice, a charge line or, for the unused part, a credit (a document allowance, since invoice
lines are never negative). Per item and period, what is billed always adds up to the exact day-by-day
amount rounded once: the rounding allocation of `proration.allocate`.

A metered item (`billing.metering`) is billed in arrears whatever the contract's timing: its amount for
a period is 0 until the period has ended, then the period's aggregated usage priced, minus what
progressive invoices already billed. On a contract billed in advance, the usage of a period is thus
charged as an adjustment on the next invoice; usage arriving late (within the metric's window) for a
billed period too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from dateutil.relativedelta import relativedelta

from facturier.billing.metering import metered_amount
from facturier.billing.models import BilledPeriod, Contract, ContractItem
from facturier.domain.billing.periods import (
    Alignment,
    Period,
    Timing,
    billing_date,
    parse_frequency,
    periods_between,
)
from facturier.domain.billing.pricing import period_price
from facturier.domain.billing.proration import exact_amount, round_fraction

MAX_BACKLOG = 120
"""Periods billed for one contract in one run at most (a contract set years in the past is an anomaly)."""


@dataclass(frozen=True)
class DueLine:
    item: ContractItem
    period: Period
    start: dt.date
    end: dt.date
    amount: Decimal  # positive: charge; negative: credit (an allowance on the invoice)
    quantity: Decimal
    unit_price: Decimal
    adjustment: bool = False
    label: str = ""  # instead of the item's description (the minimum commitment's top-up)

    @property
    def description(self) -> str:
        if self.label:
            return self.label
        if self.item.pricing_model == "one_off" and not self.adjustment:
            return self.item.description
        span = f"{self.start:%Y-%m-%d} – {(self.end - dt.timedelta(days=1)):%Y-%m-%d}"
        days = (self.end - self.start).days
        prorata = "" if days == self.period.days else f" ({days}/{self.period.days})"
        return f"{self.item.description}, {span}{prorata}"


@dataclass
class DuePeriod:
    contract: Contract
    period: Period
    billing_date: dt.date
    lines: list[DueLine] = field(default_factory=list)
    amounts: dict[str, str] = field(default_factory=dict)  # item id -> billed for this period, after this run
    adjusted: dict[dt.date, dict[str, str]] = field(default_factory=dict)  # earlier periods re-computed

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))


def service_window(contract: Contract) -> tuple[dt.date, dt.date | None]:
    """The first billed day (after the trial) and the first day no longer billed (None: open-ended).

    A contract with a term and no tacit renewal ends with its term; with tacit renewal it runs on, term
    after term, until terminated (with its notice: services.contract_terminate).
    """
    end = contract.end_date
    if end is None and contract.term_months and not contract.tacit_renewal:
        end = contract.start_date + relativedelta(months=contract.term_months)
    return contract.start_date + dt.timedelta(days=contract.trial_days), end


def _item_window(item: ContractItem, contract: Contract) -> tuple[dt.date, dt.date | None]:
    start, end = service_window(contract)
    lo = max(item.start_date, start)
    ends = [day for day in (item.end_date, end) if day is not None]
    return lo, min(ends) if ends else None


def item_exact(item: ContractItem, contract: Contract, period: Period) -> Fraction:
    price = period_price(
        item.pricing_model, quantity=item.quantity, unit_price=item.unit_price, tiers=item.tiers
    )
    lo, hi = _item_window(item, contract)
    if item.pricing_model == "one_off":  # once, whole, in the period of its first billed day
        return Fraction(price) if period.start <= lo < period.end and (hi is None or lo < hi) else Fraction(0)
    return exact_amount(period, lo, hi, price)


def _line(
    item: ContractItem, contract: Contract, period: Period, amount: Decimal, adjustment: bool
) -> DueLine:
    lo, hi = _item_window(item, contract)
    start, end = max(lo, period.start), period.end if hi is None else max(min(hi, period.end), period.start)
    full = (end - start).days == period.days and item.pricing_model == "per_unit" and not adjustment
    full = full and item.metric_id is None
    quantity, unit_price = (item.quantity, item.unit_price) if full else (Decimal(1), abs(amount))
    return DueLine(item, period, start, end, amount, quantity, unit_price, adjustment)


def contract_items(contract: Contract) -> list[ContractItem]:
    """The contract's items (with their metric): loaded in bulk by a billing run, else queried."""
    cache = getattr(contract, "_prefetched_objects_cache", {})
    if "items" in cache:
        return list(cache["items"])
    return list(contract.items.select_related("metric"))


def billed_periods(contract: Contract) -> list[BilledPeriod]:
    """The contract's billed periods, oldest first: loaded in bulk by a billing run, else queried."""
    cache = getattr(contract, "_prefetched_objects_cache", {})
    if "billed_periods" in cache:
        return sorted(cache["billed_periods"], key=lambda bp: bp.period_start)
    return list(BilledPeriod.objects.filter(contract=contract).order_by("period_start"))


def _today(contract: Contract) -> dt.date:
    from facturier.invoicing.services.common import entity_today

    return entity_today(contract.entity)


def _period_amounts(
    contract: Contract, items: list[ContractItem], period: Period, day: dt.date
) -> dict[str, Decimal]:
    amounts = {}
    for item in items:
        if item.metric_id is None:
            amounts[str(item.pk)] = round_fraction(item_exact(item, contract, period))
        else:  # in arrears: known once the period is over
            amounts[str(item.pk)] = (
                metered_amount(item, contract, period) if period.end <= day else Decimal(0)
            )
    return amounts


def due_periods(contract: Contract, day: dt.date) -> list[DuePeriod]:
    """The periods of the contract to invoice on ``day`` (oldest first), with their lines."""
    start, end = service_window(contract)
    if end is not None and end <= start:
        return []
    freq = parse_frequency(contract.frequency)
    timing, alignment = Timing(contract.timing), Alignment(contract.alignment)
    items = contract_items(contract)
    billed = {bp.period_start: bp for bp in billed_periods(contract)}
    due: list[DuePeriod] = []
    limit = day + dt.timedelta(days=1) if end is None else min(day + dt.timedelta(days=1), end)
    for period in periods_between(freq, alignment, start, limit):
        when = billing_date(period, timing, start, end)
        if when > day or period.start in billed:
            continue
        amounts = _period_amounts(contract, items, period, day)
        lines = [_line(item, contract, period, amount, False)
                 for item in items if (amount := amounts[str(item.pk)])]  # fmt: skip
        lines.extend(minimum_topup(contract, items, period, sum(amounts.values(), Decimal(0))))
        due.append(DuePeriod(contract, period, when, lines, {k: str(v) for k, v in amounts.items() if v}))
        if len(due) >= MAX_BACKLOG:
            break
    if due:
        _add_adjustments(contract, items, billed, due[0], day)
    return due


def minimum_topup(
    contract: Contract, items: list[ContractItem], period: Period, billed: Decimal
) -> list[DueLine]:
    """The line that brings a period up to the contract's minimum commitment, prorated by the days served.

    Computed when the period is first invoiced (not kept in the period's amounts, so later changes do
    not revise it); VAT as the contract's first item."""
    if not contract.minimum_amount or not items:
        return []
    start, end = service_window(contract)
    floor = round_fraction(exact_amount(period, start, end, contract.minimum_amount))
    if floor <= billed:
        return []
    from django.utils.translation import gettext as _

    label = _("Minimum commitment %(amount)s %(currency)s: top-up, %(start)s – %(end)s") % {
        "amount": contract.minimum_amount, "currency": contract.currency,
        "start": max(start, period.start), "end": period.last_day}  # fmt: skip
    first = items[0]
    return [DueLine(first, period, max(start, period.start), period.end, floor - billed, Decimal(1),
                    floor - billed, label=label)]  # fmt: skip


def adjustments_of(
    contract: Contract, items: list[ContractItem], bp: BilledPeriod, day: dt.date | None = None
) -> tuple[list[DueLine], dict[str, str]]:
    """What changed in a billed period since it was billed: its lines (charges and credits) and the new
    amounts billed per item once they are invoiced."""
    period = Period(bp.period_start, bp.period_end)
    now = _period_amounts(contract, items, period, _today(contract) if day is None else day)
    before = {key: Decimal(value) for key, value in bp.amounts.items()}
    deltas = {key: now.get(key, Decimal(0)) - before.get(key, Decimal(0)) for key in set(now) | set(before)}
    by_id = {str(item.pk): item for item in items}
    lines = [
        _line(by_id[key], contract, period, delta, True) for key, delta in sorted(deltas.items()) if delta
    ]
    return lines, {key: str(value) for key, value in now.items() if value}


def pending_adjustments(
    contract: Contract, day: dt.date | None = None
) -> list[tuple[BilledPeriod, list[DueLine], dict[str, str]]]:
    """Billed periods changed since (a late termination, a change after the last invoice), oldest first."""
    items = contract_items(contract)
    found = []
    for bp in billed_periods(contract):
        lines, amounts = adjustments_of(contract, items, bp, day)
        if lines:
            found.append((bp, lines, amounts))
    return found


def _add_adjustments(
    contract: Contract,
    items: list[ContractItem],
    billed: dict[dt.date, BilledPeriod],
    target: DuePeriod,
    day: dt.date,
) -> None:
    """Re-compute the periods already billed: what changed since is charged or credited on ``target``."""
    for bp in sorted(billed.values(), key=lambda b: b.period_start):
        lines, amounts = adjustments_of(contract, items, bp, day)
        if lines:
            target.lines.extend(lines)
            target.adjusted[bp.period_start] = amounts

"""Planning the demo history: which deals happen, on which days, with which lines and payments.

Pure planning, no database: a seeded `random.Random` and the anchor day (today in the entity's time
zone) fully decide the plan, so every load writes the same documents. Days after the anchor are
dropped, which leaves a realistic pipeline: quotes awaiting an answer, invoices not yet due.
"""

import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from facturier.demo.customers import CustomerSpec
from facturier.demo.products import ProductSpec
from facturier.domain.payment_terms import parse_terms

HISTORY_DAYS = 730
# Order of the steps of one day: a quote is created before it is accepted, an invoice issued
# before it is credited or paid.
RANK = {"quote": 0, "quote_sent": 1, "quote_accepted": 2, "quote_declined": 2, "order": 3, "deposit": 4,
        "invoice": 5, "draft": 5, "submitted": 5, "credit_partial": 6, "credit_full": 6, "reissue": 7,
        "resolve": 7, "dispute": 8, "deposit_payment": 9, "payment": 9}  # fmt: skip

# How deals unfold (shares of all deals) and how customers pay (shares of invoiced deals).
PATHS = {"declined": 0.13, "pending": 0.04, "quote_invoice": 0.24, "quote_order_invoice": 0.18,
         "deposit": 0.08, "direct": 0.31, "draft": 0.01, "submitted": 0.01}  # fmt: skip
PAYMENTS = {"on_time": 0.58, "late": 0.15, "partial": 0.07, "partial_open": 0.03, "unpaid": 0.03,
            "dispute_open": 0.01, "dispute_credit": 0.02, "credit_full": 0.04, "credit_partial": 0.07}  # fmt: skip
TRAINING_PATHS = {"declined": 0.15, "pending": 0.05, "quote_invoice": 0.45, "direct": 0.35}
TRAINING_PAYMENTS = {"on_time": 0.6, "late": 0.2, "partial": 0.08, "unpaid": 0.07, "credit_partial": 0.05}
# Deals whose story needs time to unfold start long enough ago; late payers are spread over the last
# year and a half so the aged balance has something in every band.
SLOW_PAYMENTS = frozenset({"dispute_open", "dispute_credit", "credit_full", "credit_partial"})
LATE_PAYMENTS = frozenset({"late", "partial", "partial_open", "unpaid"})
MUST_FINISH = SLOW_PAYMENTS | {"partial_open", "unpaid"}
INVOICED_PATHS = frozenset({"quote_invoice", "quote_order_invoice", "deposit", "direct"})

QUANTITIES = {"DAY": (2, 20, 2), "HUR": (1, 30, 1), "MON": (1, 12, 1), "ANN": (1, 3, 1), "H87": (1, 25, 1),
              "MTR": (10, 300, 1), "MTK": (10, 250, 1), "KWH": (200, 3000, 1), "C62": (1, 40, 1),
              "XPK": (2, 30, 1), "KGM": (1, 40, 1), "LTR": (24, 300, 1), "SET": (1, 2, 1)}  # fmt: skip
DOM_NORMAL_RATE, DOM_REDUCED_RATE = Decimal("8.50"), Decimal("2.10")


@dataclass(frozen=True)
class PlannedLine:
    sku: str
    quantity: Decimal
    discount: Decimal = Decimal("0")
    vat_rate: Decimal | None = None  # overrides the product's rate (overseas departments)


@dataclass(frozen=True)
class Step:
    day: dt.date
    action: str
    deal: int
    fraction: Decimal | None = None  # payments and partial credits: share of the amount concerned

    @property
    def key(self) -> tuple[dt.date, int, int]:
        return (self.day, RANK[self.action], self.deal)


@dataclass
class Deal:
    index: int
    customer: str
    path: str
    payment: str
    start: dt.date
    lines: tuple[PlannedLine, ...]
    exchange_rate: Decimal | None = None
    shipping: bool = False
    loyalty_discount: bool = False
    steps: list[Step] = field(default_factory=list)


def business_day(day: dt.date, anchor: dt.date) -> dt.date:
    """Move a weekend day to the next Monday, or back to the Friday when Monday is after the anchor."""
    if day.weekday() < 5:
        return day
    forward = day + dt.timedelta(days=7 - day.weekday())
    return forward if forward <= anchor else day - dt.timedelta(days=day.weekday() - 4)


def allocate(shares: Mapping[str, float], count: int, rng: random.Random) -> list[str]:
    """`count` labels in proportion to `shares`, each at least once when `count` allows it, shuffled."""
    labels = [label for label, share in shares.items() for _ in range(max(1, round(share * count)))]
    biggest = max(shares, key=lambda label: shares[label])
    while len(labels) > count and labels.count(biggest) > 1:
        labels.remove(biggest)
    labels = labels[:count] + [biggest] * (count - len(labels))
    rng.shuffle(labels)
    return labels


class Planner:
    """Draws the deals of one entity. `anchor` is today in the entity's time zone."""

    def __init__(self, rng: random.Random, anchor: dt.date, customers: tuple[CustomerSpec, ...],
                 products: tuple[ProductSpec, ...]) -> None:  # fmt: skip
        self.rng, self.anchor = rng, anchor
        self.customers = customers
        self.products = products
        self.weighted = [spec for spec in customers for _ in range(spec.weight)]

    def plan(self, count: int, paths: Mapping[str, float], payments: Mapping[str, float]) -> list[Deal]:
        rng = self.rng
        path_labels = allocate(paths, count, rng)
        payment_labels = self._payments_of(path_labels, payments)
        reserved = self._reserve_special_customers(path_labels, payment_labels)
        deals = []
        for index, (path, payment) in enumerate(zip(path_labels, payment_labels, strict=True)):
            customer = reserved.get(index) or self._customer_for(path, payment)
            if path in ("pending", "draft", "submitted"):
                days_ago = rng.randint(0, 12)
            elif payment in SLOW_PAYMENTS or path in ("declined", "deposit"):
                days_ago = rng.randint(120, HISTORY_DAYS - 10)
            elif payment in ("unpaid", "partial_open"):  # still owed: spread over the aged-balance bands
                days_ago = rng.randint(35, 240)
            elif payment in LATE_PAYMENTS:
                days_ago = rng.randint(60, HISTORY_DAYS - 60)
            else:  # business grows: recent months are busier
                days_ago = int((HISTORY_DAYS - 1) * rng.random() ** 1.1)
            start = business_day(self.anchor - dt.timedelta(days=days_ago), self.anchor)
            deal = Deal(index=index, customer=customer.code, path=path, payment=payment, start=start,
                        lines=self._lines(customer, recurring=path == "direct"))  # fmt: skip
            if customer.currency != "EUR":
                deal.exchange_rate = Decimal(rng.randint(8900, 9600)) / Decimal(10000)
            domestic = customer.kind in ("business", "consumer") and "dom" not in customer.tags
            deal.shipping = domestic and rng.random() < 0.3 and self._has_goods(deal.lines)
            deal.loyalty_discount = domestic and rng.random() < 0.08 and self._has_standard(deal.lines)
            deal.steps = [step for step in self._complete_steps(deal, customer) if step.day <= self.anchor]
            deals.append(deal)
        return deals

    def _payments_of(self, paths: list[str], payments: Mapping[str, float]) -> list[str]:
        """A payment profile for each invoiced deal (others get "on_time", unused). A deposit is never
        cancelled outright: a full credit drawn for a deposit deal swaps with an on-time one."""
        invoiced = [index for index, path in enumerate(paths) if path in INVOICED_PATHS]
        labels = ["on_time"] * len(paths)
        for index, label in zip(invoiced, allocate(payments, len(invoiced), self.rng), strict=True):
            labels[index] = label
        for index in invoiced:
            if paths[index] == "deposit" and labels[index] == "credit_full":
                other = next(i for i in invoiced if paths[i] != "deposit" and labels[i] == "on_time")
                labels[index], labels[other] = labels[other], labels[index]
        return labels

    def _complete_steps(self, deal: Deal, customer: CustomerSpec) -> list[Step]:
        """The deal's steps; a deal whose story must be seen to the end (a dispute, a credit note, an
        unpaid invoice past its due date, a deposit deducted) is moved back until it fits before the
        anchor, with the same draws."""
        state = self.rng.getstate()
        steps = self._steps(deal, customer)
        if deal.payment not in MUST_FINISH and deal.path != "deposit":
            return steps
        horizon = max(step.day for step in steps)
        if deal.payment == "unpaid":
            horizon = parse_terms(customer.terms).due_date(horizon) + dt.timedelta(days=10)
        overflow = (horizon - self.anchor).days
        if overflow <= 0:
            return steps
        deal.start = business_day(deal.start - dt.timedelta(days=overflow + 7), self.anchor)
        self.rng.setstate(state)
        return self._steps(deal, customer)

    def _reserve_special_customers(self, paths: list[str], payments: list[str]) -> dict[int, CustomerSpec]:
        """Give each customer that is a special case (EU, export, DOM, public, consumer) one invoice paid
        on time, so even a small demo shows every case."""
        special = [spec for spec in self.customers if spec.kind != "business" or "dom" in spec.tags]
        free = [index for index, (path, payment) in enumerate(zip(paths, payments, strict=True))
                if path == "direct" and payment == "on_time"]  # fmt: skip
        return dict(zip(free, special, strict=False))

    def _customer_for(self, path: str, payment: str) -> CustomerSpec:
        """Deposits are taken from French businesses; consumers pay on receipt, in full."""
        while True:
            spec = self.rng.choice(self.weighted)
            if path == "deposit" and spec.kind != "business":
                continue
            if spec.kind == "consumer" and (path != "direct" or payment != "on_time"):
                continue
            return spec

    def _has_goods(self, lines: tuple[PlannedLine, ...]) -> bool:
        by_sku = {spec.sku: spec for spec in self.products}
        return any(by_sku[line.sku].goods for line in lines)

    def _has_standard(self, lines: tuple[PlannedLine, ...]) -> bool:
        by_sku = {spec.sku: spec for spec in self.products}
        return any(by_sku[line.sku].rate == "20.00" for line in lines)

    def _pool(self, customer: CustomerSpec, recurring: bool) -> list[ProductSpec]:
        products = list(self.products)
        if customer.kind == "consumer":
            return [
                spec
                for spec in products
                if spec.goods and spec.rate in ("20.00", "5.50") and spec.unit == "H87"
            ]
        if customer.kind in ("eu", "export"):
            products = [spec for spec in products if spec.rate == "20.00"]
        if customer.kind == "export":
            # Services to a business outside the EU are outside the scope of VAT (category O), which
            # EN 16931 forbids mixing with anything else: export customers buy goods only.
            products = [spec for spec in products if spec.goods]
        if "training" not in customer.tags:
            products = [spec for spec in products if spec.category != "E"] or products
        if recurring:
            monthly = [spec for spec in products if spec.unit in ("MON", "ANN")]
            return monthly or products
        if "goods" in customer.tags:
            return products + [spec for spec in products if spec.goods]  # goods twice as likely
        return products

    def _lines(self, customer: CustomerSpec, *, recurring: bool) -> tuple[PlannedLine, ...]:
        rng = self.rng
        pool = self._pool(customer, recurring)
        count = 1 if customer.kind == "consumer" else rng.choice((1, 1, 2, 2, 3, 3, 4, 5))
        chosen: list[ProductSpec] = []
        for _ in range(count):
            spec = rng.choice(pool)
            if spec not in chosen:
                chosen.append(spec)
        lines = []
        for spec in chosen:
            low, high, per = QUANTITIES[spec.unit]
            quantity = Decimal(rng.randint(low, high)) / Decimal(per)
            if customer.kind == "consumer" or (recurring and spec.unit == "MON"):
                quantity = Decimal(rng.randint(1, 2)) if customer.kind == "consumer" else Decimal(1)
            discount = Decimal(rng.choice((5, 10, 15))) if rng.random() < 0.15 else Decimal(0)
            rate = None
            if "dom" in customer.tags and spec.category == "S":
                rate = DOM_NORMAL_RATE if spec.rate == "20.00" else DOM_REDUCED_RATE
            lines.append(PlannedLine(spec.sku, quantity, discount, rate))
        return tuple(lines)

    def _steps(self, deal: Deal, customer: CustomerSpec) -> list[Step]:
        rng, start = self.rng, deal.start

        def at(day: dt.date, action: str, fraction: Decimal | None = None) -> Step:
            return Step(
                business_day(day, self.anchor) if day <= self.anchor else day, action, deal.index, fraction
            )

        def later(day: dt.date, low: int, high: int) -> dt.date:
            return day + dt.timedelta(days=rng.randint(low, high))

        if deal.path in ("draft", "submitted", "direct"):
            return [at(start, deal.path if deal.path != "direct" else "invoice"),
                    *self._payment_steps(deal, customer, start)]  # fmt: skip
        steps = [at(start, "quote"), at(start, "quote_sent")]
        if deal.path == "pending":
            return steps
        decided = later(start, 3, 25)
        if deal.path == "declined":
            return [*steps, at(decided, "quote_declined")]
        steps.append(at(decided, "quote_accepted"))
        invoiced = later(decided, 5, 40)
        if deal.path in ("quote_order_invoice", "deposit"):
            ordered = later(decided, 0, 3)
            steps.append(at(ordered, "order"))
            invoiced = later(ordered, 10, 60)
            if deal.path == "deposit":
                steps += [at(ordered, "deposit"), at(later(ordered, 3, 12), "deposit_payment")]
                invoiced = later(ordered, 25, 90)
        steps.append(at(invoiced, "invoice"))
        return steps + self._payment_steps(deal, customer, invoiced)

    def _payment_steps(self, deal: Deal, customer: CustomerSpec, issued: dt.date) -> list[Step]:
        """Payments, disputes and credits after the invoice of `deal` is issued on `issued`."""
        rng = self.rng
        if deal.path in ("draft", "submitted"):
            return []
        issued = business_day(issued, self.anchor) if issued <= self.anchor else issued
        due = parse_terms(customer.terms).due_date(issued)
        term = (due - issued).days

        def on(day: dt.date, action: str, fraction: Decimal | None = None) -> Step:
            return Step(
                business_day(day, self.anchor) if day <= self.anchor else day, action, deal.index, fraction
            )

        def share(low: int, high: int) -> Decimal:
            return Decimal(rng.randint(low, high)) / Decimal(100)

        def days(low: int, high: int) -> dt.timedelta:
            return dt.timedelta(days=rng.randint(low, high))

        match deal.payment:
            case "on_time":
                return [on(issued + days(term * 3 // 10, term) if term else issued + days(0, 3), "payment")]
            case "late":
                return [on(due + days(5, 75), "payment")]
            case "partial":
                first = due + days(-5, 10)
                return [on(first, "payment", share(30, 60)), on(first + days(20, 60), "payment")]
            case "partial_open":
                return [on(due + days(-5, 15), "payment", share(20, 50))]
            case "dispute_open":
                return [on(due + days(2, 10), "dispute")]
            case "dispute_credit":
                disputed = due + days(2, 10)
                settled = disputed + days(10, 30)
                return [on(disputed, "dispute"), on(settled, "credit_partial", share(10, 20)),
                        on(settled, "resolve"), on(settled + days(5, 20), "payment")]  # fmt: skip
            case "credit_full":
                credited = issued + days(2, 12)
                new_due = parse_terms(customer.terms).due_date(business_day(credited, credited))
                return [
                    on(credited, "credit_full"),
                    on(credited, "reissue"),
                    on(new_due + days(-10, 5), "payment"),
                ]
            case "credit_partial":
                credited = issued + days(5, 25)
                return [
                    on(credited, "credit_partial", share(10, 25)),
                    on(max(due + days(-10, 10), credited), "payment"),
                ]
        return []  # unpaid: the invoice stays open, overdue once its due date has passed

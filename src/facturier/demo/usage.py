"""Demo usage billing: an `api_calls` metric and one metered contract (tiered, with a threshold and an
80 % alert) for a demo customer, with usage events over the last three months.

Deterministic (seeded) and counted from the anchor (today in the company's time zone): the contract
starts on the first day of the month three months back, events fall every day until yesterday, so the
billing runs of the following days bill the past months in arrears and the usage page shows the current
month filling up.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.billing.services import ItemData, contract_create
from facturier.billing.usage import EventData, metric_create, usage_record
from facturier.parties.models import Customer

SEED = 1101
TIERS: list[dict[str, Any]] = [
    {"up_to": 10000, "unit_price": "0.002"},
    {"up_to": None, "unit_price": "0.001"},
]


def create_usage(entity: LegalEntity, customers: dict[str, Customer], by: Actor, anchor: dt.date) -> int:
    """Create the metric, the metered contract and its events; the number of events recorded."""
    customer = customers[sorted(customers)[0]]
    metric = metric_create(entity=entity, by=by, code="api_calls", name="API calls", late_days=3)
    start = anchor.replace(day=1) - relativedelta(months=3)
    item = ItemData(description="API calls", metric=metric, pricing_model="tiered", tiers=TIERS,
                    quantity=Decimal(0), unit_price=Decimal(0), threshold_amount=Decimal("500.00"),
                    alert_percents=[80])  # fmt: skip
    contract_create(entity=entity, customer=customer, by=by, reference="USAGE-001", start_date=start,
                    items=[item], timing="arrears")  # fmt: skip
    rng, zone, events = random.Random(SEED), ZoneInfo(entity.time_zone), []
    day = start
    while day < anchor:
        for n in range(3):
            when = dt.datetime.combine(day, dt.time(8 + 4 * n, rng.randrange(60)), tzinfo=zone)
            events.append(EventData(event_id=f"demo-{day:%Y%m%d}-{n}", metric="api_calls", customer=customer.code,
                                    quantity=Decimal(rng.randrange(50, 400)), occurred_at=when))  # fmt: skip
        day += dt.timedelta(days=1)
    recorded = 0
    for index in range(0, len(events), 500):
        recorded += len(usage_record(entity=entity, by=by, events=events[index : index + 500]).accepted)
    return recorded

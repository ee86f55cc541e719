"""Usage ingestion: events per second accepted by `POST /api/v1/usage-events`, through the real API view
(Django test client: authentication, scope, schema validation, the service, one transaction per batch).

Seeds (once) a company, 100 customers each with a metered contract (one in ten with a threshold too
high to cross, so the threshold check runs), a `calls` metric and a `usage:write` key, then posts
BATCHES batches of SIZE new events (then the same batches again: all duplicates) and prints the figures.

    DATABASE_URL=sqlite:////tmp/usage-bench.sqlite3 .venv/bin/python bench/usage.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fact_usage .venv/bin/python bench/usage.py
"""

import datetime as dt
import json
import os
import secrets
import sys
import time
import uuid
from decimal import Decimal

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from facturier.accounts.models import ApiKey, LegalEntity  # noqa: E402
from facturier.accounts.services import entity_create  # noqa: E402
from facturier.billing.models import Metric  # noqa: E402
from facturier.billing.services import ItemData, contract_create  # noqa: E402
from facturier.billing.usage import metric_create  # noqa: E402
from facturier.parties.models import Customer  # noqa: E402

BATCHES = int(os.environ.get("BATCHES", "20"))
SIZE = int(os.environ.get("SIZE", "1000"))
CUSTOMERS = 100


def seed() -> tuple[LegalEntity, str]:
    entity = LegalEntity.objects.filter(siren="552100554").first()
    if entity is None:
        entity = entity_create(
            by=None, admin_user=None, name="Bench Usage SAS", legal_form="SAS", share_capital="10000.00",
            siren="552100554", siret="55210055400013", vat_number="FR" + f"{(12 + 3 * (552100554 % 97)) % 97:02d}552100554",
            rcs="RCS Paris 552100554", address_line1="12 rue de la Paix", postcode="75002", city="Paris",
            iban="FR7630006000011234567890189", bic="AGRIFRPP", email="factures@bench.example",
        )  # fmt: skip
    metric = Metric.objects.filter(entity=entity, code="calls").first() or metric_create(
        entity=entity, by=None, code="calls"
    )
    for n in range(CUSTOMERS):
        customer, created = Customer.objects.get_or_create(
            entity=entity, code=f"B{n:03d}",
            defaults={"name": f"Client {n}", "address_line1": "1 rue", "postcode": "75001", "city": "Paris"},
        )  # fmt: skip
        if created:
            threshold = Decimal(10**9) if n % 10 == 0 else None
            contract_create(entity=entity, customer=customer, by=None, reference=f"U-{n:03d}",
                            start_date=dt.date(2020, 1, 1), timing="arrears",
                            items=[ItemData(description="Calls", metric=metric, quantity=Decimal(0),
                                            unit_price=Decimal("0.001"), threshold_amount=threshold)])  # fmt: skip
    prefix = secrets.token_hex(4)
    secret = f"fk_{prefix}_{secrets.token_urlsafe(16)}"
    ApiKey.objects.create(entity=entity, name="bench", prefix=prefix, digest=ApiKey.digest_of(secret),
                          scopes=["usage:write"])  # write implies read  # fmt: skip
    return entity, secret


def batches(run: str) -> list[bytes]:
    now = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    bodies = []
    for b in range(BATCHES):
        events = [{"event_id": f"{run}-{b}-{i}", "metric": "calls", "customer": f"B{(b * SIZE + i) % CUSTOMERS:03d}",
                   "quantity": "1", "occurred_at": (now - dt.timedelta(seconds=i)).isoformat()}
                  for i in range(SIZE)]  # fmt: skip
        bodies.append(json.dumps({"events": events}).encode())
    return bodies


def post_all(client: Client, secret: str, bodies: list[bytes], expect: str) -> float:
    start = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/usage-events", body, content_type="application/json",
                               headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
        if response.status_code != 200:
            raise SystemExit(response.content[:2000])
        data = response.json()
        assert response.status_code == 200, data
        assert (data["accepted"] if expect == "new" else len(data["duplicates"])) == SIZE, data
    return time.perf_counter() - start


def main() -> None:
    call_command("migrate", "-v", "0")
    _entity, secret = seed()
    client = Client(HTTP_HOST="localhost")
    bodies = batches(uuid.uuid4().hex[:8])
    client.get(
        "/api/v1/usage-events?limit=1", headers={"Authorization": f"Bearer {secret}"}
    )  # warm up (URLs)
    new = post_all(client, secret, bodies, "new")
    again = post_all(client, secret, bodies, "duplicates")
    total = BATCHES * SIZE
    print(f"database: {connection.vendor}; {BATCHES} batches of {SIZE} events, {CUSTOMERS} customers")
    print(
        f"new events:       {total / new:,.0f} events/s ({new:.2f} s, {new / BATCHES * 1000:.0f} ms per batch)"
    )
    print(f"re-sent (dupes):  {total / again:,.0f} events/s ({again:.2f} s)")


if __name__ == "__main__":
    main()

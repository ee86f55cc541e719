"""Usage ingestion: events per second accepted by `POST /api/v1/usage-events`, through the real API view
(Django test client: authentication, scope, schema validation, the service, one transaction per batch).

Seeds (once) a company, 100 customers each with a metered contract (one in ten with a threshold too
high to cross, so the threshold check runs), a `calls` metric and a `usage:write` key, then posts
BATCHES batches of SIZE new events (then the same batches again: all duplicates) and prints the figures;
then the same through the service (`usage_record`, no HTTP). Beside the wall time it prints CPU time:
this process's (`time.process_time`) and, on PostgreSQL, the server backend's of this connection (from
/proc, when the server runs on this machine), since wall time on a shared machine mostly measures the
other processes; and the load average.

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
from facturier.billing.usage import EventData, metric_create, usage_record  # noqa: E402
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


def backend_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL backend of this connection (0 elsewhere)."""
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall, process CPU and database backend CPU over a block."""

    def __enter__(self) -> "Clock":
        self.wall, self.cpu, self.db = time.perf_counter(), time.process_time(), backend_cpu()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.db = backend_cpu() - self.db

    def line(self, label: str, events: int) -> str:
        per_cpu = events / (self.cpu + self.db) if self.cpu + self.db else 0
        return (f"{label:<26} {events / self.wall:>8,.0f} events/s wall ({self.wall / BATCHES * 1000:.0f} ms per "
                f"batch); CPU {self.cpu / BATCHES * 1000:.0f} ms python + {self.db / BATCHES * 1000:.0f} ms "
                f"database per batch = {per_cpu:,.0f} events per CPU-second; load {os.getloadavg()[0]:.1f}")  # fmt: skip


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


def service_all(entity: LegalEntity, bodies: list[bytes], expect: str) -> None:
    for body in bodies:
        events = [EventData(event_id=e["event_id"], metric=e["metric"], customer=e["customer"],
                            quantity=Decimal(e["quantity"]), occurred_at=dt.datetime.fromisoformat(e["occurred_at"]))
                  for e in json.loads(body)["events"]]  # fmt: skip
        result = usage_record(entity=entity, by=None, events=events)
        assert len(result.accepted if expect == "new" else result.duplicates) == SIZE


def main() -> None:
    call_command("migrate", "-v", "0")
    entity, secret = seed()
    client = Client(HTTP_HOST="localhost")
    client.get(
        "/api/v1/usage-events?limit=1", headers={"Authorization": f"Bearer {secret}"}
    )  # warm up (URLs)
    total = BATCHES * SIZE
    print(f"database: {connection.vendor}; {BATCHES} batches of {SIZE} events, {CUSTOMERS} customers")
    bodies = batches(uuid.uuid4().hex[:8])
    with Clock() as new:
        post_all(client, secret, bodies, "new")
    print(new.line("HTTP (test client), new", total))
    with Clock() as again:
        post_all(client, secret, bodies, "duplicates")
    print(again.line("HTTP (test client), dupes", total))
    bodies = batches(uuid.uuid4().hex[:8])
    with Clock() as new:
        service_all(entity, bodies, "new")
    print(new.line("service, new", total))
    with Clock() as again:
        service_all(entity, bodies, "duplicates")
    print(again.line("service, dupes", total))


if __name__ == "__main__":
    main()

"""Usage ingestion: events per second accepted by `POST /api/v1/usage-events`.

Seeds (once) a company, 100 customers each with a metered contract (one in ten with a threshold too
high to cross, so the threshold check runs), a `calls` metric and a `usage:write` key.

By default (server mode) it starts the production server as `facturier serve` does (gunicorn, 2 sync
workers, production settings, on 127.0.0.1:PORT) and CLIENTS client processes (default 3) that each post
BATCHES batches of SIZE new events over keep-alive HTTP connections, all at once; then the same batches
again (all duplicates). It prints the wall events/s and the server's CPU per event: the gunicorn workers'
CPU and, on PostgreSQL, the CPU of the database backends of this database (both read from /proc, so the
server must run on this machine); the clients' CPU is not counted. And the load average: on this shared
2-core machine wall time mostly measures the other sessions.

`--in-process` instead posts through Django's test client and calls the service `usage_record`, one batch
at a time in this process (CPU: this process and its database backend).

    DATABASE_URL=sqlite:////tmp/usage-bench.sqlite3 .venv/bin/python bench/usage.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fact_usage .venv/bin/python bench/usage.py [--in-process]
    (PORT=8140 CLIENTS=3 BATCHES=20 SIZE=1000)
"""

import datetime as dt
import http.client
import json
import multiprocessing
import multiprocessing.synchronize
import os
import secrets
import subprocess
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
CLIENTS = int(os.environ.get("CLIENTS", "3"))
PORT = int(os.environ.get("PORT", "8140"))


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


def in_process(entity: LegalEntity, secret: str) -> None:
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


# server mode ------------------------------------------------------------------------------------------


def _cpu_of(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as children:
            found += [int(child) for child in children.read().split()]
    return found


def _backends() -> list[int]:
    """The PostgreSQL backends connected to this database, but this process's own."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid()")  # fmt: skip
        return [pid for (pid,) in cursor.fetchall()]


def server_cpu(master: int) -> tuple[float, float]:
    """CPU seconds so far of the gunicorn workers and of the database backends serving them."""
    return sum(_cpu_of(pid) for pid in _children(master)), sum(_cpu_of(pid) for pid in _backends())


def start_server() -> subprocess.Popen[bytes]:
    from facturier.cli import _gunicorn

    data = "/tmp/usage-bench-data"  # noqa: S108 - a scratch directory of the benchmark
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod", "FACTURIER_DATA_DIR": data,
           "SECRET_KEY": secrets.token_urlsafe(50), "FACTURIER_SEAL_KEYS": "bench:" + secrets.token_hex(24),
           "FACTURIER_SSL_REDIRECT": "0", "PYTHONPATH": os.path.join(os.path.dirname(__file__), "..", "src")}  # fmt: skip
    root = os.path.join(os.path.dirname(__file__), "..")
    server = subprocess.Popen(_gunicorn("127.0.0.1", PORT, 2), env=env, cwd=root,  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    for _ in range(300):
        try:
            http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("HEAD", "/")
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit(server.stderr.read().decode() if server.stderr else "the server did not start")


def client(secret: str, bodies: list[bytes], expect: str, start: multiprocessing.synchronize.Event) -> None:
    """One client: its batches one after the other on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    start.wait()
    for body in bodies:
        conn.request("POST", "/api/v1/usage-events", body, headers)
        response = conn.getresponse()
        data = response.read()
        if response.status != 200:
            raise SystemExit(data[:2000])
        found = json.loads(data)
        assert (found["accepted"] if expect == "new" else len(found["duplicates"])) == len(
            json.loads(body)["events"]
        )


def vacuum() -> None:
    """PostgreSQL: vacuum the daily totals (each batch updates a hundred of them) before a measure, as
    autovacuum does in production (it is off on this machine's server: dead rows would pile up)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM billing_usagedaytotal")


def run_clients(master: int, secret: str, per_client: list[list[bytes]], expect: str, label: str) -> None:
    start = multiprocessing.Event()
    procs = [
        multiprocessing.Process(target=client, args=(secret, bodies, expect, start)) for bodies in per_client
    ]
    for proc in procs:
        proc.start()
    vacuum()
    time.sleep(0.5)
    web, db = server_cpu(master)
    began = time.perf_counter()
    start.set()
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise SystemExit(f"a client failed ({proc.exitcode})")
    wall = time.perf_counter() - began
    web, db = (after - before for after, before in zip(server_cpu(master), (web, db), strict=True))
    events = sum(len(json.loads(body)["events"]) for bodies in per_client for body in bodies)
    print(f"{label:<12} {events / wall:>7,.0f} events/s wall ({events:,} events, {len(per_client)} clients, "
          f"{wall:.1f} s); server CPU per 1,000 events: {web / events * 1e6:.0f} ms python + "
          f"{db / events * 1e6:.0f} ms database = {events / (web + db) if web + db else 0:,.0f} events per "
          f"CPU-second; load {os.getloadavg()[0]:.1f}")  # fmt: skip


def server_mode(secret: str) -> None:
    connection.close()
    server = start_server()
    try:
        print(f"database: {connection.vendor}; gunicorn 2 workers; {CLIENTS} clients x {BATCHES} batches of "
              f"{SIZE} events, {CUSTOMERS} customers")  # fmt: skip
        # warm up: every worker loads its code and opens its database connection
        run_clients(
            server.pid, secret, [batches(uuid.uuid4().hex[:8])[:2] for _ in range(4)], "new", "(warm-up)"
        )
        per_client = [batches(uuid.uuid4().hex[:8]) for _ in range(CLIENTS)]
        run_clients(server.pid, secret, per_client, "new", "new")
        run_clients(server.pid, secret, per_client, "duplicates", "duplicates")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    call_command("migrate", "-v", "0")
    entity, secret = seed()
    if "--in-process" in sys.argv:
        in_process(entity, secret)
    else:
        server_mode(secret)


if __name__ == "__main__":
    main()

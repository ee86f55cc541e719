"""How every list, search, dashboard, detail page and API list/detail holds up as history grows (issue 9).

Usage:
  python bench/scale.py --database postgres://postgres@127.0.0.1:5432/fact_scale \
      [--invoices 100000] [--customers 10000] [--requests 40] [--clients 10] [--port 8765] [--reset]

On the given PostgreSQL database (created if missing; dropped first with --reset) it migrates, loads the
demo company, then (when --invoices > 0 and no history was loaded yet) writes ten years of history in
bulk beside it (bench/scale_history.py), checks `audit verify`, starts the production server (gunicorn,
one worker per core, `config.settings.prod`) and requests every page from --clients threads at once.
Prints per page: p50 and p95 in ms, response size, and the number of SQL queries one request runs
(counted in-process with Django's test client). --invoices 0 measures the demo alone.
"""

from __future__ import annotations

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parents[1]
HOSTS = "127.0.0.1,localhost,testserver"


def ensure_database(url: str, reset: bool) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if reset:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ["ALLOWED_HOSTS"] = HOSTS
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)  # the server checks the sessions signed here
    import django

    django.setup()


def load(invoices: int, customers: int, *, verify: bool = True, workers: int = 4) -> None:
    from django.core.management import call_command

    from facturier.demo.loader import load_demo
    from facturier.invoicing.models import SequenceCounter

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    result = load_demo()
    print(
        f"demo: {'loaded' if result.loaded else 'present'} ({time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    if invoices and not SequenceCounter.objects.filter(last_value__gt=0, period__lt="2020").exists():
        from scale_history import load_history

        started = time.perf_counter()
        load_history(invoices=invoices, customers=customers, workers=workers)
        print(f"history: {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        rebuild_read_aggregates()  # the history was written with triggers off
        print(f"read aggregates: {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        with_vacuum()
        print(f"vacuum analyze: {time.perf_counter() - started:.0f} s", flush=True)
    if not verify:
        return
    from facturier.audit.verify import verify_all

    started = time.perf_counter()
    breaches = verify_all()  # what `facturier audit verify` runs
    print(f"audit verify: {'OK' if not breaches else breaches[:3]} ({time.perf_counter() - started:.0f} s)")


def rebuild_read_aggregates() -> None:
    """The dashboard's aggregates (invoicing 0011), which the bulk load's disabled triggers did not keep."""
    try:
        from facturier.invoicing.aggregates import rebuild
    except ImportError:  # a checkout before the aggregates
        return
    rebuild()


def with_vacuum() -> None:
    """What autovacuum would have done over ten years: statistics, and the visibility map (index-only scans)."""
    from django.db import connection
    from scale_history import TABLES

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
        cursor.execute("ANALYZE")


def pages() -> tuple[list[tuple[str, str]], str, str]:
    """(label, path) of what is measured, a staff session cookie and an API key."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from facturier.accounts.models import LegalEntity
    from facturier.accounts.services import api_key_create
    from facturier.demo.loader import existing_demo
    from facturier.invoicing.models import Document
    from facturier.parties.models import Customer

    entity = existing_demo()
    assert isinstance(entity, LegalEntity)
    user = get_user_model().objects.get(username="demo")
    client = Client()
    client.force_login(user)
    session = client.cookies["sessionid"].value
    _key, api_key = api_key_create(entity=entity, name=f"bench {secrets.token_hex(3)}", by=None,
                                   scopes=["invoices:read", "customers:read", "credit_notes:read"])  # fmt: skip
    invoice = Document.objects.filter(entity=entity, type_code="380", seal_position__isnull=False).latest(
        "created_at"
    )
    customer = Customer.objects.filter(entity=entity).order_by("created_at").last()
    assert customer is not None
    word = quote(customer.name.split()[0][:5])
    return (
        [
            ("dashboard /", "/"),
            ("invoice list /invoices/", "/invoices/"),
            ("invoice search (web) ?q=", f"/invoices/?q={word}"),
            ("credit note list", "/credit-notes/"),
            ("quote list", "/quotes/"),
            ("customer list /customers/", "/customers/"),
            ("customer search (web)", f"/customers/?q={word}"),
            ("product list", "/products/"),
            ("invoice detail", f"/documents/{invoice.pk}/"),
            ("customer detail", f"/customers/{customer.pk}/"),
            ("new invoice /invoices/new/", "/invoices/new/"),
            ("API invoices?limit=50", "/api/v1/invoices?limit=50"),
            ("API invoice search", f"/api/v1/invoices?limit=50&search={word}"),
            ("API invoice detail", f"/api/v1/invoices/{invoice.pk}"),
            ("API credit_notes?limit=50", "/api/v1/credit_notes?limit=50"),
            ("API customers?limit=50", "/api/v1/customers?limit=50"),
            ("API customer search", f"/api/v1/customers?limit=50&search={word}"),
            ("API customer detail", f"/api/v1/customers/{customer.pk}"),
        ],
        session,
        api_key,
    )


def headers_for(path: str, session: str, api_key: str) -> dict[str, str]:
    if path.startswith("/api/"):
        return {"Authorization": f"Bearer {api_key}"}
    return {"Cookie": f"sessionid={session}", "Accept-Language": "fr"}


def count_queries(path: str, session: str, api_key: str) -> tuple[int, float]:
    """How many SQL queries one request runs, and their summed time in ms (in-process, one client)."""
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    client = Client(headers=headers_for(path, session, api_key))
    client.cookies["sessionid"] = session
    with CaptureQueriesContext(connection) as queries:
        try:
            response = client.get(path)
        except Exception as error:  # noqa: BLE001 - a page that fails is reported in the table, not fatal
            print(f"  {path}: {type(error).__name__}: {error}", flush=True)
            return -500, 0.0
    if response.status_code != 200:
        return -response.status_code, 0.0
    return len(queries), sum(float(query["time"]) for query in queries.captured_queries) * 1000


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[float, int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return time.perf_counter() - started, response.status, len(body)


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.prod", ALLOWED_HOSTS=HOSTS,
               FACTURIER_SSL_REDIRECT="0")  # fmt: skip
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--no-input", "-v", "0"], cwd=ROOT, env=env,
                   check=True)  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", f"--bind=127.0.0.1:{port}",
         f"--workers={workers}", "--timeout=120", "--no-control-socket"],
        cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _attempt in range(100):
        try:
            fetch(port, "/login/", {})
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start")


def measure(port: int, targets: list[tuple[str, str]], session: str, api_key: str, *, requests: int,
            clients: int) -> None:  # fmt: skip
    print("\n| what | p50 ms | p95 ms | KB | queries | SQL ms |\n|---|---|---|---|---|---|")
    with ThreadPoolExecutor(clients) as pool:
        for label, path in targets:
            headers = headers_for(path, session, api_key)
            # warm every worker's caches (templates, lazy imports, the connection) as a server in use has them
            list(pool.map(lambda _n: fetch(port, path, headers), range(clients)))  # noqa: B023
            results = list(pool.map(lambda _n: fetch(port, path, headers), range(requests)))  # noqa: B023
            times = sorted(seconds for seconds, _status, _size in results)
            statuses = {status for _seconds, status, _size in results}
            p95 = times[min(len(times) - 1, round(len(times) * 0.95) - 1)]
            status = "" if statuses == {200} else f" (HTTP {sorted(statuses)})"
            count, sql_ms = count_queries(path, session, api_key)
            print(f"| {label}{status} | {statistics.median(times) * 1000:.0f} | {p95 * 1000:.0f} | "
                  f"{results[0][2] / 1024:.0f} | {count} | {sql_ms:.0f} |", flush=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="postgres://... (created if missing)")
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per page")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reset", action="store_true", help="drop the database first")
    parser.add_argument("--no-load", action="store_true", help="measure what is there")
    parser.add_argument("--no-verify", action="store_true", help="skip `audit verify` after the load")
    parser.add_argument("--load-only", action="store_true", help="load (and verify), measure nothing")
    parser.add_argument("--load-workers", type=int, default=4, help="processes generating the history")
    args = parser.parse_args()
    ensure_database(args.database, args.reset)
    setup_django(args.database)
    if not args.no_load:
        load(args.invoices, args.customers, verify=not args.no_verify, workers=args.load_workers)
    if args.load_only:
        return
    targets, session, api_key = pages()
    from django.db import connections

    connections.close_all()
    server = start_server(args.database, args.port, args.workers)
    try:
        measure(port=args.port, targets=targets, session=session, api_key=api_key, requests=args.requests,
                clients=args.clients)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

"""Python CPU per request of the busiest staff pages, in-process (issue 9, step 5).

With the SQL within budget, a page's p95 under 10 concurrent clients on 2 workers is CPU queueing: what
each request costs in Python (view, template rendering, middleware) is what to cut. This measures it with
`time.process_time` around Django's test client (the database server's CPU is not counted: PostgreSQL
runs in its own process), DEBUG off.

Usage:
  python bench/page_cpu.py [--database postgres://postgres@127.0.0.1:5432/fact_pages_cpu] [--requests 30]
                           [--profile /customers/] [--only "invoice list,api invoices"] [--reset]

On the given PostgreSQL database (created if missing; dropped first with --reset), or a SQLite file
(`--database sqlite:////tmp/page_cpu.sqlite3`, deleted first with --reset), it migrates and loads
the demo company once, then requests each page --requests times after 3 warm-up requests (the staff pages signed in as the demo
user, the API pages with a new API key of the demo company). Prints per
page: median and p90 CPU ms, SQL queries and their summed wall time, response size. --profile PATH
prints the 25 functions with the most own CPU time for that path (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scale import ensure_database  # bench/ is the script's folder (as search_sql.py does)

ROOT = Path(__file__).resolve().parents[1]


def setup(url: str, data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.setdefault("FACTURIER_DATA_DIR", data_dir)
    os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # as in production: no query log kept per request
    from django.core.management import call_command

    from facturier.demo.loader import load_demo

    call_command("migrate", verbosity=0)
    load_demo()


def pages() -> tuple[list[tuple[str, str, dict[str, str]]], object]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from facturier.accounts.actor import as_actor
    from facturier.accounts.services import api_key_create
    from facturier.demo.loader import existing_demo
    from facturier.invoicing.models import Document
    from facturier.parties.models import Customer

    entity = existing_demo()
    client = Client(headers={"Accept-Language": "fr"})
    user = get_user_model().objects.get(username="demo")
    client.force_login(user)
    invoice = Document.objects.filter(entity=entity, type_code="380", seal_position__isnull=False).latest(
        "created_at"
    )
    customer = (
        Customer.objects.filter(entity=entity, documents__isnull=False)
        .order_by("created_at")
        .distinct()
        .last()
    )
    assert customer is not None
    # a word of a customer's name: what a clerk types in the search box (matches several invoices)
    term = customer.name.split()[0]
    # a new key each run (its secret is shown once); the API authenticates it on every request
    _key, secret = api_key_create(
        entity=entity, name="page_cpu bench", scopes=["invoices:read", "customers:read"], by=as_actor(user)
    )
    api = {
        "Authorization": f"Bearer {secret}"
    }  # sent by a client without the staff session, as integrators do
    return [
        ("dashboard", "/", {}),
        ("invoice list", "/invoices/", {}),
        ("invoice search", f"/invoices/?q={term}", {}),
        ("customer list", "/customers/", {}),
        ("payment list", "/payments/", {}),
        ("invoice detail", f"/documents/{invoice.pk}/", {}),
        ("customer detail", f"/customers/{customer.pk}/", {}),
        ("api invoices", "/api/v1/invoices?limit=50", api),
        ("api inv. search", f"/api/v1/invoices?limit=50&search={term}", api),
        ("api customers", "/api/v1/customers?limit=50", api),
    ], client


def measure(
    client: object, path: str, headers: dict[str, str], requests: int
) -> tuple[float, float, int, float, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    api_client = Client()  # no session cookie

    def get(path: str) -> object:
        caller = api_client if "Authorization" in headers else client
        return caller.get(path, headers=headers)  # type: ignore[attr-defined]

    for _ in range(3):
        response = get(path)
        assert response.status_code == 200, (path, response.status_code)
    cpu = []
    for _ in range(requests):
        started = time.process_time()
        get(path)
        cpu.append((time.process_time() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = get(path)
    sql_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    cpu.sort()
    p90 = cpu[min(len(cpu) - 1, int(len(cpu) * 0.9))]
    return statistics.median(cpu), p90, len(queries), sql_ms, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgres://postgres@127.0.0.1:5432/fact_pages_cpu")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument(
        "--cumulative", type=int, default=0, help="with --profile: also the N by cumulative time"
    )
    parser.add_argument("--reset", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated page labels to measure (default: all)")
    parser.add_argument("--data-dir", default=str(Path(tempfile.gettempdir()) / "facturier_page_cpu"))
    args = parser.parse_args()
    if args.database.startswith("sqlite:"):  # a file database (while PostgreSQL is kept for a benchmark)
        sqlite_file = Path(args.database.split(":///", 1)[1])
        if args.reset and sqlite_file.exists():
            sqlite_file.unlink()
    else:
        ensure_database(args.database, args.reset)
    setup(args.database, args.data_dir)
    measured, client = pages()
    print(f"{'page':<16} {'CPU p50 ms':>10} {'CPU p90 ms':>10} {'queries':>8} {'SQL ms':>8} {'bytes':>8}")
    only = {label.strip() for label in args.only.split(",") if label.strip()}
    for label, path, headers in measured:
        if only and label not in only:
            continue
        p50, p90, count, sql_ms, size = measure(client, path, headers, args.requests)
        print(f"{label:<16} {p50:>10.1f} {p90:>10.1f} {count:>8} {sql_ms:>8.1f} {size:>8}", flush=True)
    if args.profile:
        headers = next((h for _label, path, h in measured if path == args.profile), {})
        if "Authorization" in headers:
            from django.test import Client

            client = Client()  # an integrator: no staff session
        for _ in range(3):  # warm: URLs, templates and schemas are loaded by the first requests
            client.get(args.profile, headers=headers)  # type: ignore[attr-defined]
        profile = cProfile.Profile(time.process_time)  # CPU, not the wait for the database
        profile.enable()
        for _ in range(args.requests):
            client.get(args.profile, headers=headers)  # type: ignore[attr-defined]
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)
        if args.cumulative:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(args.cumulative)


if __name__ == "__main__":
    main()

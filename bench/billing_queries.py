"""Queries per invoice of a billing run, grouped by step and table (issue 11, "Performance").

Usage:
  python bench/billing_queries.py --database postgres://postgres@127.0.0.1:5432/fact_bench_queries \
      [--count 200] [--no-validate]
  python bench/billing_queries.py --database sqlite:////tmp/bench_queries.sqlite3 [...]   (file replaced)

Creates the database afresh, seeds N monthly contracts (tests/billing/crash_seed.py), then executes the
run in this process (no worker) while recording every SQL statement; prints the queries and CPU
milliseconds per invoice, the statements grouped by kind and table, and the top of a cProfile.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.billing import harness  # noqa: E402


def _shape(sql: str) -> str:
    sql = sql.strip()
    word = sql.split()[0].upper() if sql else "?"
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?([a-z_0-9]+)"?', sql, re.IGNORECASE)
    lock = " FOR UPDATE" if "FOR UPDATE" in sql.upper() else ""
    return f"{word} {table.group(1) if table else ''}{lock}".strip()


STEPS = (
    "invoice_issue",
    "document_create",
    "draft_build",
    "drafts_create_many",
    "bill_in_bulk",
    "credit_note_create",
    "due_periods",
    "pending_adjustments",
    "apply_revisions",
    "_create_invoice",
    "handle",
    "bill_contract",
    "finish",
    "plan",
)
"""Where a query is counted: the innermost of these functions on the stack (issue steps: by call site)."""


class Attribution:
    """A connection execute wrapper: counts and times each statement by step and by call site."""

    def __init__(self) -> None:
        self.steps: Counter[str] = Counter()
        self.sites: Counter[str] = Counter()
        self.ms: Counter[str] = Counter()

    def __call__(self, execute, sql, params, many, context):  # noqa: ANN001, ANN204
        step, site, frame = "other", "?", sys._getframe(1)  # noqa: SLF001
        while frame is not None:
            name, path = frame.f_code.co_name, frame.f_code.co_filename
            ours = "/src/facturier/" in path
            if site == "?" and ours:
                site = f"{path.split('/facturier/')[-1]}:{frame.f_lineno} {name}"
            if ours and name in STEPS:
                step = name
                break
            frame = frame.f_back
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.steps[step] += 1
            self.sites[f"{step} <- {site}"] += 1
            self.ms[step] += 1000 * (time.perf_counter() - started)


TIMED = (
    ("facturier.billing.runs", "bill_contract"),
    ("facturier.billing.runs", "due_periods"),
    ("facturier.billing.runs", "document_create"),
    ("facturier.billing.bulk_drafts", "bill_in_bulk"),
    ("facturier.billing.bulk_drafts", "draft_build"),
    ("facturier.billing.bulk_drafts", "drafts_create_many"),
    ("facturier.billing.runs", "invoice_issue"),
    ("facturier.billing.execution", "load_contracts"),
    ("facturier.invoicing.einvoice", "issued_xml_files"),
    ("facturier.invoicing.einvoice", "validate_for_issue"),
    ("facturier.invoicing.services.issuing", "audit_record"),
    ("facturier.invoicing.services.drafts", "audit_record"),
    ("facturier.invoicing.services.issuing", "take_number"),
    ("facturier.invoicing.services.issuing", "seal"),
)
"""Functions timed in CPU (time.process_time, inclusive of what they call), patched where they are looked up."""


def _timed(cpu: Counter[str], calls: Counter[str]) -> None:
    import functools
    import importlib

    for module_name, name in TIMED:
        module = importlib.import_module(module_name)
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, __original=original, __name=name, **kwargs):  # noqa: ANN002, ANN003, ANN202
            started = time.process_time()
            try:
                return __original(*args, **kwargs)
            finally:
                cpu[__name] += time.process_time() - started
                calls[__name] += 1

        setattr(module, name, wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--no-validate", action="store_true")
    args = parser.parse_args()
    parsed = urlparse(args.database)
    if parsed.scheme == "sqlite":  # a fresh file (with its WAL companions)
        url = args.database
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.path + suffix).unlink(missing_ok=True)
    else:
        url = harness.scratch_database(parsed._replace(path="").geturl(), parsed.path.lstrip("/"))
    env = harness.environment(url, Path(tempfile.mkdtemp(prefix="billing-queries-")))
    env["BILLING_BENCH_VALIDATE"] = "" if args.no_validate else "1"
    run_id = harness.seed(env, args.count, "2026-01-01")
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "FACTURIER_DATA_DIR", "DJANGO_SETTINGS_MODULE",
                                           "BILLING_BENCH_VALIDATE")})  # fmt: skip
    import django

    django.setup()
    from collections import deque

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from facturier.billing.models import BillingRun
    from facturier.billing.runs import execute

    connection.queries_log = deque(maxlen=10**7)
    attribution = Attribution()
    step_cpu: Counter[str] = Counter()
    calls: Counter[str] = Counter()
    _timed(step_cpu, calls)
    run = BillingRun.objects.select_related("entity").get(pk=run_id)
    profiler = cProfile.Profile()
    cpu, wall = time.process_time(), time.perf_counter()
    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(attribution):
        profiler.enable()
        execute(run)
        profiler.disable()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    run.refresh_from_db()
    invoices = len(run.results.get("invoices", []))
    shapes = Counter(_shape(q["sql"]) for q in captured.captured_queries)
    print(f"{invoices} invoices, {len(captured)} queries: {len(captured) / max(invoices, 1):.1f} per invoice; "
          f"{1000 * cpu / max(invoices, 1):.1f} ms CPU, {1000 * wall / max(invoices, 1):.1f} ms wall per invoice "
          f"(validation {'off' if args.no_validate else 'on'}; PDFs are rendered by the workers, not here)")  # fmt: skip
    per = max(invoices, 1)
    print(
        "queries per invoice by step (innermost step on the stack), and the step's SQL wall ms per invoice:"
    )
    for step, count in attribution.steps.most_common():
        print(f"{count / per:7.2f}  {attribution.ms[step] / per:7.1f} ms  {step}")
    print("CPU ms per invoice by function (inclusive; calls per invoice):")
    for name, seconds in step_cpu.most_common():
        print(f"{1000 * seconds / per:7.1f} ms  {calls[name] / per:5.2f}  {name}")
    print("by call site:")
    for site, count in attribution.sites.most_common(45):
        print(f"{count / per:7.2f}  {site}")
    print("by statement:")
    for shape, count in shapes.most_common(40):
        print(f"{count / per:7.2f}  {shape}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(35)
    print(out.getvalue())


if __name__ == "__main__":
    main()

"""A billing run of N subscriptions on PostgreSQL with worker processes (issue 11, "Performance").

Usage:
  python bench/billing_run.py --database postgres://postgres@127.0.0.1:5432/fact_bench_billing \
      [--count 100000] [--workers 2] [--profile 200] [--no-validate]

Creates the database afresh (dropped if it exists), migrates, seeds N monthly contracts (one item each)
and queues the run of 1 January (tests/billing/crash_seed.py). Then profiles the hot path in this process
(cProfile over --profile contracts billed in batches as a worker bills them: compute, claims and drafts,
numbers, validation, journal; the workers skip them later: already claimed), starts the worker processes (`facturier worker`, tests/billing/worker_settings.py) and measures
- invoices issued per second, end to end (from the workers' start to the run's `done`);
- the time until every issued invoice has its Factur-X PDF stored (the PDF tasks queued on issue);
- the CPU of the worker processes and of the database backends of this database (read from /proc every
  half second: a backend that exits between two reads loses its last half second), per invoice.
Prints the figures and the profile's top functions (cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.billing import harness  # noqa: E402


def profile(env: dict[str, str], count: int) -> str:
    """Bill ``count`` contracts here under cProfile (the workers skip them later: already claimed)."""
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "FACTURIER_DATA_DIR", "DJANGO_SETTINGS_MODULE")})
    if env.get("BILLING_BENCH_VALIDATE"):
        os.environ["BILLING_BENCH_VALIDATE"] = env["BILLING_BENCH_VALIDATE"]
    import django

    django.setup()
    import datetime as dt

    from django.db import transaction

    from facturier.billing.execution import RunBiller, _batch_size
    from facturier.billing.models import BillingRun, Contract

    run = BillingRun.objects.select_related("entity").get(run_date=dt.date(2026, 1, 1))
    keys = [str(pk) for pk in Contract.objects.order_by("reference").values_list("pk", flat=True)[:count]]
    biller, size = RunBiller(run), _batch_size()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for start in range(0, len(keys), size):  # as a worker bills them: a batch per transaction
        with transaction.atomic():
            biller.handle_many(keys[start : start + size])
    profiler.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return (
        f"profile: {count} contracts in one process: {elapsed:.2f} s ({count / elapsed:.1f} invoices/s)\n"
        + out.getvalue()
    )


class CpuMeter:
    """CPU seconds of the workers (with their children) and of this database's backends, from /proc."""

    def __init__(self, url: str, workers: list[int]) -> None:
        self.url, self.workers = url, workers
        self.seen: dict[tuple[str, int], float] = {}

    @staticmethod
    def _cpu_of(pid: int) -> float | None:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def _children(self, pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    found += [int(child) for child in children.read().split()]
        except OSError:
            pass
        return found

    def sample(self) -> tuple[float, float]:
        """(workers, database) CPU seconds so far."""
        pids = [("worker", pid) for top in self.workers for pid in (top, *self._children(top))]
        name = urlparse(self.url).path.lstrip("/")
        backends = harness.query(self.url, "SELECT pid FROM pg_stat_activity WHERE datname = "  # noqa: S608
                                 f"'{name}' AND pid <> pg_backend_pid()")  # fmt: skip
        pids += [("database", int(pid)) for (pid,) in backends]
        for key in pids:
            cpu = self._cpu_of(key[1])
            if cpu is not None:
                self.seen[key] = max(cpu, self.seen.get(key, 0.0))
        return (sum(v for (kind, _), v in self.seen.items() if kind == "worker"),
                sum(v for (kind, _), v in self.seen.items() if kind == "database"))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", required=True, help="postgres://... (dropped and created)")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--profile", type=int, default=200, help="contracts profiled in-process first")
    parser.add_argument("--no-validate", action="store_true", help="skip the EN 16931 validation on issue")
    args = parser.parse_args()
    parsed = urlparse(args.database)
    name = parsed.path.lstrip("/")
    server = parsed._replace(path="").geturl()
    url = harness.scratch_database(server, name)
    data_dir = Path(tempfile.mkdtemp(prefix="billing-bench-"))
    env = harness.environment(url, data_dir) | {"BILLING_BENCH_VALIDATE": "" if args.no_validate else "1",
                                                "BILLING_STALE_SECONDS": "600"}  # fmt: skip
    started = time.monotonic()
    run_id = harness.seed(env, args.count, "2026-01-01")
    print(f"seeded {args.count} contracts in {time.monotonic() - started:.1f} s", flush=True)
    report = profile(env, min(args.profile, args.count // 10 or 1))
    log = data_dir / "worker.log"
    started = time.monotonic()
    load = os.getloadavg()
    workers = [harness.start_worker(env, log) for _ in range(args.workers)]
    meter = CpuMeter(url, [worker.pid for worker in workers])
    try:
        done = harness.wait_until(
            lambda: meter.sample() and harness.run_status(url, run_id) in ("done", "failed"), 24 * 3600, 0.5
        )
        issued_in = time.monotonic() - started
        cpu_issued = meter.sample()
        invoices = harness.invoices(url)
        pdfs = "SELECT count(*) FROM documents_storedfile WHERE kind = 'facturx'"
        harness.wait_until(
            lambda: meter.sample() and int(harness.query(url, pdfs)[0][0]) >= invoices, 24 * 3600, 0.5
        )
        rendered_in = time.monotonic() - started
        cpu_rendered = meter.sample()
        load = (*load, *os.getloadavg())
    finally:
        for worker in workers:
            harness.stop(worker)
    assert done, log.read_text()[-3000:]
    checked = harness.check(url)
    by_workers = invoices - min(args.profile, args.count // 10 or 1)
    print(report)
    print(
        f"run {harness.run_status(url, run_id)}: {invoices} invoices ({by_workers} by {args.workers} workers "
        f"in {issued_in:.1f} s: {by_workers / issued_in:.1f} invoices/s end to end, "
        f"validation {'off' if args.no_validate else 'on'}); every Factur-X PDF rendered after {rendered_in:.1f} s"
    )
    print(
        f"check: {checked['invoices']} numbered, twice {len(checked['twice'])}, gaps {checked['gaps']}, "
        f"duplicate numbers {checked['duplicate_numbers']}"
    )
    if by_workers:
        per = 1000 / by_workers
        print(
            f"CPU per invoice until the run is done: workers {cpu_issued[0] * per:.1f} ms, database "
            f"{cpu_issued[1] * per:.1f} ms; until the last PDF: workers {cpu_rendered[0] * per:.1f} ms, "
            f"database {cpu_rendered[1] * per:.1f} ms (PDFs rendered by the same workers meanwhile)"
        )
        print(f"load average at the workers' start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at the end "
              f"{load[3]:.2f} {load[4]:.2f} {load[5]:.2f}")  # fmt: skip
        print(
            f"extrapolated to 100,000: issued in {100_000 / (by_workers / issued_in) / 60:.1f} min, "
            f"PDFs in {100_000 * rendered_in / by_workers / 60:.1f} min"
        )


if __name__ == "__main__":
    main()

"""Real worker processes over a PostgreSQL database for the billing crash test and benchmarks: seed
contracts and queue a run, start and kill -9 workers, wait, check the invoices (one per contract and
period, numbering without gap)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def query(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchall()  # type: ignore[arg-type]


def environment(url: str, data_dir: Path) -> dict[str, str]:
    return {**os.environ, "FACTURIER_DATA_DIR": str(data_dir), "DATABASE_URL": url, "FACTURIER_STORAGE_URL": "",
            "DJANGO_SETTINGS_MODULE": "tests.billing.worker_settings", "PYTHONPATH": str(ROOT)}  # fmt: skip


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=3600, check=False
    )


def seed(env: dict[str, str], contracts: int, day: str) -> str:
    migrated = run(env, "-m", "facturier.cli", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    seeded = run(env, "-m", "tests.billing.crash_seed", str(contracts), day)
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    return seeded.stdout.split()[-1]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "facturier.cli", "worker"], cwd=ROOT, env=env, stdout=out, stderr=out,
            start_new_session=True,
        )  # fmt: skip


def stop(worker: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, sig)
    worker.wait(timeout=60)


def invoices(url: str) -> int:
    return int(query(url, "SELECT count(*) FROM billing_billedperiod WHERE document_id IS NOT NULL")[0][0])


def run_status(url: str, run_id: str) -> str:
    return str(query(url, f"SELECT status FROM billing_billingrun WHERE id = '{run_id}'")[0][0])  # noqa: S608


def wait_until(predicate: Any, timeout: float, every: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


def check(url: str) -> dict[str, Any]:
    """One invoice per contract and period; every invoice claimed; numbers contiguous per series."""
    per_period = query(url, "SELECT contract_id, period_start, count(*) FROM billing_billedperiod "
                            "GROUP BY contract_id, period_start HAVING count(*) > 1")  # fmt: skip
    numbers = [row[0] for row in query(url, "SELECT number FROM invoicing_document WHERE number != ''")]
    orphans = query(url, "SELECT count(*) FROM invoicing_document d WHERE NOT EXISTS "
                         "(SELECT 1 FROM billing_billedperiod b WHERE b.document_id = d.id)")[0][0]  # fmt: skip
    series: dict[str, list[int]] = defaultdict(list)
    for number in numbers:
        found = re.fullmatch(r"(.*?)(\d+)", number)
        assert found, number
        series[found.group(1)].append(int(found.group(2)))
    gaps = {prefix: sorted(set(range(min(v), max(v) + 1)) - set(v))[:10] for prefix, v in series.items()
            if sorted(v) != list(range(min(v), max(v) + 1))}  # fmt: skip
    duplicates = len(numbers) - len(set(numbers))
    return {"invoices": len(numbers), "twice": per_period, "orphans": orphans, "gaps": gaps,
            "duplicate_numbers": duplicates}  # fmt: skip


def crash_run(url: str, data_dir: Path, *, contracts: int, periods: int, kills: int, workers: int = 2,
              seed_value: int = 11, timeout: float = 1800) -> dict[str, Any]:  # fmt: skip
    """Seed, run with ``workers`` processes, kill -9 one at ``kills`` random moments, restart, finish, check."""
    import random

    draw = random.Random(seed_value)
    env = environment(url, data_dir)
    day = f"2026-{periods:02d}-01"
    run_id = seed(env, contracts, day)
    expected = contracts * periods
    log = data_dir / "worker.log"
    running = [start_worker(env, log) for _ in range(workers)]
    moments = sorted(draw.uniform(0.05, 0.9) * expected for _ in range(kills))
    killed_at = []
    started = time.monotonic()
    try:
        for moment in moments:
            assert wait_until(lambda m=moment: invoices(url) >= m, timeout), log.read_text()[-3000:]
            victim = draw.randrange(len(running))
            stop(running[victim], signal.SIGKILL)
            killed_at.append(invoices(url))
            running[victim] = start_worker(env, log)
        finished = wait_until(lambda: run_status(url, run_id) in ("done", "failed"), timeout, every=0.2)
        elapsed = time.monotonic() - started
    finally:
        for worker in running:
            stop(worker)
    assert finished, log.read_text()[-3000:]
    result = check(url)
    errors = query(url, f"SELECT results->'errors' FROM billing_billingrun WHERE id = '{run_id}'")[0][0]  # noqa: S608
    return {**result, "expected": expected, "killed_at": killed_at, "seconds": elapsed,
            "status": run_status(url, run_id), "errors": errors}  # fmt: skip


def scratch_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    return f"{server}/{name}"


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

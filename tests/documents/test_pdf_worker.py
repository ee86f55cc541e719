"""A worker killed (SIGKILL) while it renders PDFs loses no document: after the sweeper and a restart,
every issued invoice has its Factur-X PDF, stored exactly once, matching its hash.

On SQLite one worker runs and is killed; on PostgreSQL two run at once (rows claimed with SKIP LOCKED)
and one of them is killed mid-run while the other keeps going.
"""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
INVOICES = 40
RESULT_SQL = (
    "SELECT d.number, count(f.id), max(f.name), max(f.sha256) FROM invoicing_document d "
    "LEFT JOIN documents_storedfile f ON f.document_id = d.id AND f.kind = 'facturx' "
    "WHERE d.seal_hash != '' GROUP BY d.id, d.number"
)
Query = Callable[[str], list[tuple[Any, ...]]]


def _sqlite(db: Path) -> Query:
    def query(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(db, timeout=30) as connection:
            return connection.execute(sql).fetchall()

    return query


def _postgres(url: str) -> Query:
    import psycopg

    def query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(url) as connection:
            return connection.execute(sql).fetchall()  # type: ignore[arg-type]

    return query


def _pdf_count(query: Query) -> int:
    return int(query("SELECT count(*) FROM documents_storedfile WHERE kind = 'facturx'")[0][0])


def _wait_for(query: Query, at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (count := _pdf_count(query)) < at_least and time.monotonic() < deadline:
        time.sleep(0.02)
    return count


def _start_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "facturier.cli", "worker"], cwd=ROOT, env=env, stdout=out, stderr=out,
            start_new_session=True,
        )  # fmt: skip


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _kill_and_recover(tmp_path: Path, database_url: str, query: Query, workers: int) -> None:
    env = {**os.environ, "FACTURIER_DATA_DIR": str(tmp_path), "DATABASE_URL": database_url, "FACTURIER_STORAGE_URL": "",
           "DJANGO_SETTINGS_MODULE": "tests.documents.worker_settings", "PYTHONPATH": str(ROOT)}  # fmt: skip
    migrated = _run(env, "-m", "facturier.cli", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    # given invoices issued with no worker running: each queued its PDF task on commit
    started = time.monotonic()
    seeded = _run(env, "-m", "tests.documents.pdf_worker_seed", str(INVOICES))
    seeding = time.monotonic() - started
    assert seeded.returncode == 0, seeded.stderr
    assert len(seeded.stdout.split()) == INVOICES
    assert _pdf_count(query) == 0
    # when workers start rendering and one is killed -9 in the middle of the run
    log = tmp_path / "worker.log"
    running = [_start_worker(env, log) for _ in range(workers)]
    victim, others = running[0], running[1:]
    rendered = _wait_for(query, 1, timeout=120)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    at_kill = _pdf_count(query)
    assert 1 <= rendered <= at_kill < INVOICES, "the kill must land while PDFs are still rendering"
    # and the sweeper re-queues what is missing, and a worker starts again
    sweep = _run(env, "-m", "facturier.cli", "documents", "sweep")
    assert sweep.returncode == 0, sweep.stderr
    restarted = time.monotonic()
    others.append(_start_worker(env, log))
    try:
        done = _wait_for(query, INVOICES, timeout=300)
        print(f"issued {INVOICES} in {seeding:.1f} s; {at_kill} PDFs stored at the kill; the rest "
              f"({INVOICES - at_kill}) in {time.monotonic() - restarted:.1f} s after the restart")  # fmt: skip
    finally:
        for worker in others:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    # then every issued invoice has exactly one PDF, whose file holds the bytes of its recorded hash
    assert done == INVOICES, log.read_text()[-3000:]
    rows = query(RESULT_SQL)
    assert len(rows) == INVOICES
    for number, count, name, sha256 in rows:
        assert count == 1, number
        assert hashlib.sha256((tmp_path / "files" / name).read_bytes()).hexdigest() == sha256, number
    # and `facturier audit verify` agrees: seals, files and the XML inside each PDF all match
    verify = _run(env, "-m", "facturier.cli", "audit", "verify")
    assert verify.returncode == 0, verify.stderr


@pytest.mark.slow
def test_a_worker_killed_while_rendering_leaves_every_issued_invoice_with_its_pdf_exactly_once(tmp_path):
    db = tmp_path / "facturier.sqlite3"
    _kill_and_recover(tmp_path, f"sqlite:///{db}", _sqlite(db), workers=1)


@pytest.fixture
def scratch_postgres() -> Iterator[str]:
    """A fresh PostgreSQL database beside the test database (the workers' own, dropped afterwards)."""
    import psycopg
    from django.conf import settings

    config = settings.DATABASES["default"]
    name = f"{config['NAME']}_pdf_worker"
    server = (
        f"postgresql://{config['USER']}:{config['PASSWORD'] or ''}@{config['HOST']}:{config['PORT'] or 5432}"
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        connection.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


@pytest.mark.slow
@pytest.mark.postgres
def test_two_workers_on_postgresql_one_killed_leave_every_invoice_with_its_pdf_exactly_once(
    tmp_path, scratch_postgres
):
    _kill_and_recover(tmp_path, scratch_postgres, _postgres(scratch_postgres), workers=2)

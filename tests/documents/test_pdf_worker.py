"""A worker killed (SIGKILL) while it renders PDFs loses no document: after the sweeper and a restart,
every issued invoice has its Factur-X PDF, stored exactly once, matching its hash."""

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INVOICES = 40


def _pdf_count(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(
            "SELECT count(*) FROM documents_storedfile WHERE kind = 'facturx'"
        ).fetchone()[0]


def _wait_for(db: Path, at_least: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while (count := _pdf_count(db)) < at_least and time.monotonic() < deadline:
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


@pytest.mark.slow
def test_a_worker_killed_while_rendering_leaves_every_issued_invoice_with_its_pdf_exactly_once(tmp_path):
    db = tmp_path / "facturier.sqlite3"
    env = {**os.environ, "FACTURIER_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{db}",
           "DJANGO_SETTINGS_MODULE": "tests.documents.worker_settings", "PYTHONPATH": str(ROOT)}  # fmt: skip
    assert _run(env, "-m", "facturier.cli", "migrate").returncode == 0
    # given invoices issued with the worker down: each queued its PDF task on commit
    started = time.monotonic()
    seeded = _run(env, "-m", "tests.documents.pdf_worker_seed", str(INVOICES))
    seeding = time.monotonic() - started
    assert seeded.returncode == 0, seeded.stderr
    assert len(seeded.stdout.split()) == INVOICES
    assert _pdf_count(db) == 0
    # when a worker starts rendering and is killed -9 in the middle of the run
    log = tmp_path / "worker.log"
    worker = _start_worker(env, log)
    rendered = _wait_for(db, 1, timeout=120)
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=30)
    at_kill = _pdf_count(db)
    assert 1 <= rendered <= at_kill < INVOICES, "the kill must land while PDFs are still rendering"
    # and the sweeper re-queues what is missing, and a worker starts again
    sweep = _run(env, "-m", "facturier.cli", "documents", "sweep")
    assert sweep.returncode == 0, sweep.stderr
    restarted = time.monotonic()
    worker = _start_worker(env, log)
    try:
        done = _wait_for(db, INVOICES, timeout=300)
        print(
            f"issued {INVOICES} in {seeding:.1f} s; {at_kill} PDFs stored at the kill; the rest "
            f"({INVOICES - at_kill}) in {time.monotonic() - restarted:.1f} s after the restart"
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    # then every issued invoice has exactly one PDF, whose file holds the bytes of its recorded hash
    assert done == INVOICES, log.read_text()[-3000:]
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT d.number, count(f.id), max(f.name), max(f.sha256) FROM invoicing_document d "
            "LEFT JOIN documents_storedfile f ON f.document_id = d.id AND f.kind = 'facturx' "
            "WHERE d.seal_hash != '' GROUP BY d.id"
        ).fetchall()
    assert len(rows) == INVOICES
    for number, count, name, sha256 in rows:
        assert count == 1, number
        assert hashlib.sha256((tmp_path / "files" / name).read_bytes()).hexdigest() == sha256, number
    # and `facturier audit verify` agrees: seals, files and the XML inside each PDF all match
    verify = _run(env, "-m", "facturier.cli", "audit", "verify")
    assert verify.returncode == 0, verify.stderr

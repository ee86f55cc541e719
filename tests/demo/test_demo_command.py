"""`facturier demo --no-serve` end to end in fresh processes, on throwaway SQLite databases."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow
TODAY = "2026-11-23T10:00:00+00:00"  # the determinism test's clock, in both of its processes


def _env(data_dir: Path) -> dict[str, str]:
    """The environment of a user running the command: default settings, a fresh data directory."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")
    }
    env.update(FACTURIER_DATA_DIR=str(data_dir), DATABASE_URL=f"sqlite:///{data_dir / 'facturier.sqlite3'}")
    return env


def _facturier(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "facturier.cli", *args], cwd=REPO, env=_env(data_dir),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip


def test_facturier_demo_no_serve_loads_the_demo_once_and_prints_the_login(tmp_path):
    # when a user runs the demo command on a fresh data directory
    first = _facturier(tmp_path, "demo", "--no-serve", "--port", "8765")
    # then it migrates, loads the full demo (within the 300 s timeout; its time is a figure the command
    # prints, not an assertion: on a loaded machine it varies) and prints the login
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Demo loaded" in first.stdout
    assert "Log in at http://127.0.0.1:8765/ with demo / demo" in first.stdout
    # and every seal and audit event verifies
    verify = _facturier(tmp_path, "audit", "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr
    # and a second run loads nothing more
    second = _facturier(tmp_path, "demo", "--no-serve")
    assert second.returncode == 0, second.stderr[-3000:]
    assert "already loaded" in second.stdout
    assert "Log in at http://127.0.0.1:8000/ with demo / demo" in second.stdout


def _dump(data_dir: Path) -> list[str]:
    data_dir.mkdir()
    run = subprocess.run([sys.executable, str(REPO / "tests" / "demo" / "dump_documents.py"), "0.2", TODAY], cwd=REPO,
                         env=_env(data_dir), capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    return run.stdout.splitlines()


def test_two_loads_on_fresh_databases_write_identical_documents(tmp_path):
    # given the demo loaded twice, each time on a fresh database
    first, second = _dump(tmp_path / "one"), _dump(tmp_path / "two")
    # then numbers, customers, dates, statuses and totals are the same (seals differ: they cover ids and times)
    assert len(first) > 80
    assert first == second

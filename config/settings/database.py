"""Database configuration from `DATABASE_URL` (SQLite in WAL mode by default, PostgreSQL in production)."""

import os
from pathlib import Path
from typing import Any

import dj_database_url


def database_from_env(data_dir: Path) -> dict[str, Any]:
    """Return Django's DATABASES['default'] for `DATABASE_URL` (default: SQLite file under the data dir).

    SQLite runs in WAL mode with IMMEDIATE transactions: one writer at a time, so that numbering and
    hash chaining stay serial without lock upgrades failing mid-transaction.
    """
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'facturier.sqlite3'}"
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if config["NAME"] != ":memory:":
            Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    return config

"""On PostgreSQL the outbox shows only committed transactions, so those tests commit (transactional db);
on SQLite they run in the usual rolled-back test transaction (whose flush the immutability triggers forbid)."""

import os

import pytest

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")
committed_db = pytest.mark.django_db(transaction=ON_POSTGRES)

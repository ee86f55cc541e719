"""Issuing from many processes at once never produces a gap, a duplicate or a double issue (PostgreSQL)."""

import os
import re
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from facturier.audit.models import AuditEvent
from facturier.audit.verify import verify_all
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create

REPO = Path(__file__).resolve().parents[2]
WORKERS = 8
PER_WORKER = 55  # 440 invoices in all
STOLEN = 5  # each worker also tries to issue 5 invoices of its neighbour: double issues must be refused


def _database_url() -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_processes_issue_440_invoices_without_gap_or_duplicate(entity, customer, product):
    _race(entity, customer, product, workers=WORKERS, per_worker=PER_WORKER)


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sixteen_processes_issue_320_invoices_without_gap_or_duplicate(entity, customer, product):
    _race(entity, customer, product, workers=16, per_worker=20)


def _race(entity, customer, product, *, workers: int, per_worker: int) -> None:  # type: ignore[no-untyped-def]
    WORKERS, PER_WORKER = workers, per_worker  # noqa: N806
    if connection.vendor != "postgresql":
        pytest.skip("the multi-process numbering test runs on PostgreSQL (SQLite has a single writer)")
    # given WORKERS * PER_WORKER committed draft invoices
    drafts = [
        str(document_create(entity=entity, kind="invoice", customer=customer, by=None,
                            lines=[LineData(product=product, quantity=Decimal(i % 7 + 1))]).pk)
        for i in range(WORKERS * PER_WORKER)
    ]  # fmt: skip
    slices = [drafts[w * PER_WORKER : (w + 1) * PER_WORKER] for w in range(WORKERS)]
    start_at = time.time() + 3
    env = {**os.environ, "DATABASE_URL": _database_url(), "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # when WORKERS processes issue them at the same time, each also racing its neighbour on 5 invoices
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.invoicing.concurrency_worker",
                str(start_at),
                *slices[w],
                *slices[(w + 1) % WORKERS][:STOLEN],
            ],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for w in range(WORKERS)
    ]
    outputs = [process.communicate(timeout=900) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err[-2000:] for _out, err in outputs]
    lines = [line.split() for out, _err in outputs for line in out.splitlines()]
    issued = [parts for parts in lines if parts[1] == "issued"]
    refused = [parts for parts in lines if parts[1] == "refused"]
    # then every invoice was issued exactly once, and the extra attempts were refused
    assert len(issued) == len(drafts)
    assert Counter(parts[0] for parts in issued) == Counter(drafts)
    assert len(refused) == WORKERS * STOLEN
    assert {parts[2] for parts in refused} == {"illegal_transition"}
    # and the numbers form one unbroken sequence, in the order of their (non-decreasing) dates
    rows = list(
        Document.objects.filter(entity=entity, series__code="invoice").values_list(
            "number", "issue_date", "seal_position"
        )
    )
    sequence = sorted(int(re.search(r"(\d+)$", number).group(1)) for number, _d, _p in rows)
    assert sequence == list(range(1, len(drafts) + 1))
    by_number = sorted(rows, key=lambda row: row[0])
    dates = [issue_date for _n, issue_date, _p in by_number]
    assert dates == sorted(dates)
    assert [position for _n, _d, position in by_number] == list(range(1, len(drafts) + 1))
    # and the audit chains, however many the issuers spread their events over, verify
    assert verify_all() == []
    issued_events = AuditEvent.objects.filter(entity=entity, action="invoice.issued")
    assert issued_events.count() == len(drafts)
    assert all(key == f"audit:{entity.pk}" or key.startswith(f"audit:{entity.pk}:")
               for key in issued_events.values_list("chain_key", flat=True).distinct())  # fmt: skip

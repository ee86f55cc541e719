"""Tasks the job tests schedule and run (importable by a real worker process started from the repo root)."""

import time

from django.utils import timezone

from facturier.jobs.outbox import outbox_publish
from facturier.jobs.runs import run_chunks


def noop(**kwargs):
    return "ok"


def slow_chunks(job_run, n: int, pause: float = 0.0):
    """``n`` chunks; each writes one marker event in its own transaction, so duplicates would show."""

    def handle(key):
        time.sleep(pause)
        outbox_publish(type="test.chunk", entity=None, subject_type="chunk", subject_id=key, payload={},
                       occurred_at=timezone.now())  # fmt: skip

    run_chunks(job_run, [f"chunk-{i:03d}" for i in range(n)], handle)
    return n


def broken(**kwargs):
    raise ValueError("the remote side is down")

"""Outbox figures: events appended per second (one per transaction, like audited changes) and read by a consumer.

Run: DATABASE_URL=sqlite:////tmp/outbox-bench.sqlite3 .venv/bin/python bench/outbox.py  (migrates first)
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from facturier.jobs.models import ConsumerCursor, OutboxEvent  # noqa: E402
from facturier.jobs.outbox import outbox_consume, outbox_publish  # noqa: E402

EVENTS = int(os.environ.get("EVENTS", "5000"))

call_command("migrate", "-v", "0")
OutboxEvent.objects.all().delete()
ConsumerCursor.objects.all().delete()
start = time.perf_counter()
for i in range(EVENTS):
    with transaction.atomic():
        outbox_publish(type="bench.event", entity=None, subject_type="bench", subject_id=str(i),
                       payload={"i": i, "note": "x" * 200}, occurred_at=timezone.now())  # fmt: skip
written = time.perf_counter() - start
start = time.perf_counter()
seen = waits = 0
while seen < EVENTS and waits < 100:
    count = outbox_consume(consumer="bench", handle=lambda batch: None, limit=500)
    seen += count
    if not count:  # on PostgreSQL, a transaction still running (in any database of the cluster) holds them
        waits += 1
        time.sleep(0.1)
read = time.perf_counter() - start
print(f"appended {EVENTS} events, one transaction each: {EVENTS / written:.0f} events/s")
print(f"consumed {seen} events in batches of 500: {seen / read:.0f} events/s ({waits} waits of 0.1 s)")

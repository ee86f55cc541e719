"""``facturier worker``: the task worker (django-tasks-db) with the scheduler and the sweeper beside it.

Any number of these may run, on one machine or many: schedules fire once per period because the run
key is unique in the database, and the sweeper's updates are idempotent.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from facturier.jobs.scheduler import fire_due, schedules_sync
from facturier.jobs.sweeper import sweep

logger = logging.getLogger(__name__)


def scheduler_loop(stop: threading.Event, every: float) -> None:
    """Tick until ``stop`` is set; an error in one tick is logged and the next tick tries again."""
    first = True
    while not stop.is_set():
        try:
            close_old_connections()
            if first:
                schedules_sync()
                first = False
            fire_due()
            sweep()
        except Exception:
            logger.exception("scheduler tick failed")
        stop.wait(every)


class Command(BaseCommand):
    help = "Run a background worker with the scheduler and the sweeper."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-scheduler", action="store_true", help="only run tasks")
        parser.add_argument("--batch", action="store_true", help="run the queue once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_scheduler"]:
            every = float(getattr(settings, "FACTURIER_SCHEDULER_SECONDS", 30))
            thread = threading.Thread(
                target=scheduler_loop, args=(stop, every), name="scheduler", daemon=True
            )
            thread.start()
        try:
            worker_options = ["--batch"] if options["batch"] else []
            call_command("db_worker", "--no-reload", *worker_options)
        finally:
            stop.set()

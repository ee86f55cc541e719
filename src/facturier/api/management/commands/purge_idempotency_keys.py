"""`facturier manage purge_idempotency_keys`: forget idempotent responses older than the retention."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from facturier.api.services import IDEMPOTENCY_RETENTION, idempotency_purge


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than --hours (default 24); run it daily."

    def add_arguments(self, parser: CommandParser) -> None:
        hours = int(IDEMPOTENCY_RETENTION.total_seconds() // 3600)
        parser.add_argument("--hours", type=int, default=hours, help=f"retention in hours (default {hours})")

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = idempotency_purge(older_than=dt.timedelta(hours=options["hours"]))
        self.stdout.write(f"{deleted} idempotency record(s) purged.")

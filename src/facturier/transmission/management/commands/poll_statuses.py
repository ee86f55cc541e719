"""``facturier poll-statuses``: ask Chorus Pro and the platform what became of the sent invoices.

Records new lifecycle statuses (idempotent: running it again records nothing twice), reads the
platform's lifecycle flows, prints a summary; exit code 1 when a channel could not be reached.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.management.lookup import find_entity
from facturier.transmission.polling import poll_all


class Command(BaseCommand):
    help = "Poll the transmission channels and record the invoices' lifecycle statuses."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", help="only this entity's invoices (id, SIREN or name)")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"]) if options["entity"] else None
        summary = poll_all(entity=entity)
        self.stdout.write(f"{summary.polled} transmissions polled, {summary.recorded} new statuses recorded")
        for number in summary.unmatched:
            self.stdout.write(f"UNKNOWN  a status about invoice {number}, which is not ours")
        for error in summary.errors:
            self.stdout.write(self.style.ERROR(f"ERROR    {error}"))
        if summary.errors:
            raise CommandError(f"{len(summary.errors)} channel errors while polling.", returncode=1)

"""``facturier import-time FILE --entity E``: time entries from a CSV file (timesheets.imports).

Idempotent: importing the same file twice creates nothing the second time. A file with a bad row is
refused whole; each problem is printed with its line number and the exit code is 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.common.errors import BusinessError
from facturier.timesheets.imports import MAX_BYTES, CsvRefused, time_import


class Command(BaseCommand):
    help = "Import time entries from a CSV file (submitted for approval; never imported twice)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path}: larger than {MAX_BYTES // 1024 // 1024} MB.")
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}.") from None
        try:
            result = time_import(entity=entity, content=content, by=SYSTEM)
        except CsvRefused as error:
            for line, message in error.problems:
                self.stderr.write(f"{path}:{line}: {message}")
            raise CommandError(f"{path}: not imported ({len(error.problems)} problem(s)).") from None
        except BusinessError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"{result.created} entries imported, {result.skipped} already imported.")

"""``facturier import-einvoice FILE... --entity X``: receive supplier e-invoices from files.

Each file (PDF, XML or zip) is imported on its own; one line is printed per invoice or refusal.
The exit code is 1 when anything was refused, so scripts notice.
"""

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import track

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.inbox.errors import InboxImportError
from facturier.inbox.models import Channel
from facturier.inbox.services import ImportItem, einvoice_import


class Command(BaseCommand):
    help = (
        "Import supplier e-invoices (Factur-X PDF, CII or UBL XML, or a zip of them) into an entity's inbox."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", help="files to import")
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")

    def _line(self, item: ImportItem) -> str:
        if item.error is not None:
            return self.style.ERROR(f"REFUSED   {item.filename}: {item.error.message} [{item.error.code}]")
        record = item.record
        assert record is not None
        label = "ALREADY   " if item.duplicate_file else "IMPORTED  "
        return (
            f"{label}{item.filename}: {record.seller_name} n° {record.number}, "
            f"{record.amount_due} {record.currency}, status {record.status}, validation {record.validation} "
            f"({record.error_count} errors, {record.warning_count} warnings)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        refused = 0
        files: Iterable[str] = options["files"]
        if len(options["files"]) > 1 and sys.stderr.isatty():  # a progress bar for people, lines for scripts
            files = track(files, description="Importing", console=Console(stderr=True), transient=True)
        for name in files:
            path = Path(name)
            try:
                content = path.read_bytes()
            except OSError as exc:
                self.stderr.write(self.style.ERROR(f"REFUSED   {name}: cannot read it ({exc.strerror})"))
                refused += 1
                continue
            try:
                result = einvoice_import(
                    entity=entity, by=SYSTEM, filename=path.name, content=content, channel=Channel.CLI
                )
            except InboxImportError as exc:
                self.stdout.write(self.style.ERROR(f"REFUSED   {path.name}: {exc.message} [{exc.code}]"))
                refused += 1
                continue
            for item in result.items:
                self.stdout.write(self._line(item))
                refused += item.error is not None
        if refused:
            raise CommandError(f"{refused} file(s) refused.", returncode=1)

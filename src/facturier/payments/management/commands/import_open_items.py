"""``facturier import-open-items FILE --entity E [--map old=new ...]``: bring unpaid invoices from the previous tool.

Idempotent (running it again on the same file writes nothing); a bad line refuses the whole file with
its line number and exit code 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.common.errors import ValidationFailed
from facturier.payments.open_items import COLUMNS, open_items_import


def _column_map(pairs: list[str]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        old, sep, new = pair.partition("=")
        if not sep or not old.strip() or new.strip() not in COLUMNS:
            raise CommandError(f"--map {pair}: expected FILE_COLUMN=ONE_OF({', '.join(COLUMNS)})")
        mapping[old.strip()] = new.strip()
    return mapping


class Command(BaseCommand):
    help = "Import open receivables (unpaid invoices of the previous tool) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=f"CSV with the header {','.join(COLUMNS)}")
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="OLD=NEW",
            help="a column of the file and our name for it",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        mapping = _column_map(options["map"])
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read it ({exc.strerror})", returncode=1) from exc
        with Console(stderr=True).status("Importing open items"):
            try:
                result = open_items_import(
                    entity=entity, content=content, by=SYSTEM, filename=path.name, column_map=mapping
                )
            except ValidationFailed as error:
                raise CommandError(str(error.message), returncode=1) from error
        self.stdout.write(
            f"{len(result.created)} open items imported, {len(result.already)} already there, "
            f"{len(result.customers_created)} customers created"
        )

"""``facturier reconciliation export --entity E --format csv|json [--out F]``: one row per bank line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from facturier.accounts.management.lookup import find_entity
from facturier.banking.reconciliation_export import export_text, write_export


class Command(BaseCommand):
    help = "Export the reconciliation of every bank line (CSV or JSON) for auditors and checks."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--format", choices=("csv", "json"), default="csv")
        parser.add_argument("--out", help="the file to write (default: standard output)")
        parser.add_argument("--language", default="en", help="language of the reasons (en, fr)")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        with translation.override(options["language"]):
            if options["out"]:
                with Path(options["out"]).open("w", encoding="utf-8", newline="") as out:
                    count = write_export(entity, out, format=options["format"])
                self.stderr.write(f"EXPORTED  {count} lines to {options['out']}")
            else:
                self.stdout.write(export_text(entity, format=options["format"]), ending="")

"""``facturier import-usage FILE --entity E``: record usage events from a CSV file (see billing.usage_csv).

Idempotent: importing the same file again records nothing (every event is a duplicate). Prints a JSON
summary (accepted, duplicates, refused rows with their line, code and reason); exit code 1 when a row
was refused or the file was refused whole (nothing of a refused file is written; the batches before a
row refused one by one stay recorded, and a second import completes them).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.billing.usage_csv import REQUIRED, usage_import
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Import usage (metered) events from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=f"CSV with the columns {','.join(REQUIRED)}[,contract,dimension]")
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        path = Path(options["file"])
        try:
            with path.open("rb") as stream:
                result = usage_import(entity=entity, by=SYSTEM, stream=stream)
        except OSError as error:
            raise CommandError(f"{path}: cannot read it ({error.strerror})", returncode=1) from error
        except BusinessError as error:
            raise CommandError(f"{path}: {error.message}", returncode=1) from error
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        if result["refused_count"]:
            raise CommandError(f"{result['refused_count']} row(s) refused", returncode=1)

"""``facturier billing-index --entity E --code Syntec [--name N] (--set DATE VALUE | --import FILE.csv)``.

Enters or imports the values of a price index that contracts are revised on (billing.indexation); a CSV
is ``date,value`` (or ``;`` and a decimal comma), one per line, with an optional header. Without a value
to record, lists the values known.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.billing.indexation import index_series_create, index_values_record, parse_csv
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Enter or import the values of a price index (Syntec...) used to revise contract prices."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--code", required=True, help="the index code, e.g. Syntec")
        parser.add_argument("--name", default="", help="its full name (when it is created)")
        parser.add_argument(
            "--set", nargs=2, metavar=("DATE", "VALUE"), help="one value, YYYY-MM-DD and number"
        )
        parser.add_argument("--import", dest="csv", type=Path, help="a CSV file of date,value lines")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        try:
            series = index_series_create(entity=entity, by=SYSTEM, code=options["code"], name=options["name"])
            values: list[tuple[dt.date, Decimal]] = []
            if options["set"]:
                day, value = options["set"]
                try:
                    values.append((dt.date.fromisoformat(day), Decimal(value.replace(",", "."))))
                except (ValueError, InvalidOperation):
                    raise CommandError(f"--set: {day} {value}: a date (YYYY-MM-DD) and a number.") from None
            if options["csv"]:
                values.extend(parse_csv(options["csv"].read_text(encoding="utf-8-sig")))
            if values:
                index_values_record(series=series, by=SYSTEM, values=values)
        except BusinessError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"--import: {error}") from None
        for known in series.values.order_by("date"):
            self.stdout.write(f"{series.code}  {known.date}  {known.value.normalize():f}")

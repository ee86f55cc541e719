"""``facturier credentials set --entity X --connector chorus_pro login=... password=...``: store a company's
own connector account, encrypted in the database (``transmission.credentials``).

Values given as ``KEY=-`` are read from standard input, one line each, so a password need not appear in
the shell history or the process list.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.credentials import CONNECTORS, connector_credentials_set
from facturier.accounts.management.lookup import find_entity


class Command(BaseCommand):
    help = "Store a company's own account on a connector (Chorus Pro, platform), encrypted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--connector", required=True, choices=CONNECTORS)
        parser.add_argument("values", nargs="+", metavar="KEY=VALUE", help="e.g. login=TECH_1 password=-")

    def handle(self, *args: Any, **options: Any) -> None:
        values: dict[str, str] = {}
        for item in options["values"]:
            key, sep, value = item.partition("=")
            if not sep or not key:
                raise CommandError(f"expected KEY=VALUE, got {item!r}")
            values[key] = sys.stdin.readline().rstrip("\n") if value == "-" else value
        entity = find_entity(options["entity"])
        connector_credentials_set(entity=entity, connector=options["connector"], values=values, by=SYSTEM)
        self.stdout.write(
            f"{options['connector']} account of {entity.name} stored: {', '.join(sorted(values))}"
        )

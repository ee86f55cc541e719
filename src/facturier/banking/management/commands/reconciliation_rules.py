"""``facturier reconciliation rules --entity E [--fee-tolerance X] ...``: show or change the company's rules."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.banking.rules import FIELDS, reconciliation_rules_set, stored_rules
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Show the company's reconciliation rules, or change those given (fees, write-offs, confidence)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        for name in FIELDS:
            parser.add_argument("--" + name.replace("_", "-"), dest=name)

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        changes = {name: options[name] for name in FIELDS if options.get(name) is not None}
        try:
            model = (
                reconciliation_rules_set(entity=entity, by=SYSTEM, **changes)
                if changes
                else stored_rules(entity)
            )
        except BusinessError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=1) from None
        for name in FIELDS:
            self.stdout.write(f"{name.replace('_', '-')}: {getattr(model, name)}")

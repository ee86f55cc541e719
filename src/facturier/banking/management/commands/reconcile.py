"""``facturier reconcile --entity E``: reconcile the company's open bank lines now."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.banking.reconciliation import reconciliation_run
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Reconcile the open bank lines with open invoices: settle the certain, propose the likely."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        try:
            summary = reconciliation_run(entity=entity, by=SYSTEM)
        except BusinessError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=1) from None
        self.stdout.write(
            "RECONCILED {examined} lines: {auto} automatically, {proposed} proposed, {unmatched} unmatched".format(
                **summary.as_dict()
            )
        )
        for problem in summary.errors:
            self.stderr.write(f"PROPOSED  {problem}")

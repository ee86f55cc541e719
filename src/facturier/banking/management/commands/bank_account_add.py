"""``facturier bank-account add --entity E --iban IBAN [--name N] [--bic B]``: register a company's account."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.banking.management.mapping_file import read_mapping
from facturier.banking.services import bank_account_add
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Add a bank account to a company (IBAN and BIC are checked)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--iban", default="", help="the account's IBAN (spaces allowed)")
        parser.add_argument("--bic", default="", help="the bank's BIC")
        parser.add_argument("--name", default="", help="a name for the account, e.g. 'Main account'")
        parser.add_argument("--currency", default=None, help="ISO code (default: the company's currency)")
        parser.add_argument(
            "--account-number", default="", help="for a bank without IBAN: its account number"
        )
        parser.add_argument(
            "--csv-mapping", default=None, metavar="FILE.json", help="how to read its CSV exports"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        mapping = read_mapping(options["csv_mapping"]) if options["csv_mapping"] else None
        try:
            account = bank_account_add(
                entity=entity, by=SYSTEM, iban=options["iban"], bic=options["bic"], name=options["name"],
                currency=options["currency"], account_number=options["account_number"], csv_mapping=mapping,
            )  # fmt: skip
        except BusinessError as error:
            raise CommandError(f"{error.message} [{error.code}]") from None
        self.stdout.write(
            f"ADDED     {account.name} {account.identifier} ({account.currency}) id {account.pk}"
        )

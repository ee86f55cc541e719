"""``facturier bank-account csv-mapping --entity E --account IBAN (--mapping F.json | --remove)``."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.banking.management.mapping_file import read_mapping
from facturier.banking.models import BankAccount
from facturier.banking.services import bank_account_set_csv_mapping
from facturier.common.errors import BusinessError
from facturier.domain.identifiers import InvalidIdentifier, validate_iban


class Command(BaseCommand):
    help = "Save (or remove) how a bank account's CSV exports are read."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="entity id, SIREN or name")
        parser.add_argument("--account", required=True, help="the account's IBAN, or its account number")
        choice = parser.add_mutually_exclusive_group(required=True)
        choice.add_argument("--mapping", metavar="FILE.json", help="the column mapping (docs/banking.md)")
        choice.add_argument("--remove", action="store_true", help="forget the mapping")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        given = options["account"].replace(" ", "").upper()
        try:
            given = validate_iban(given)
        except InvalidIdentifier:
            pass  # an account number, for a bank without IBAN
        account = (
            BankAccount.objects.filter(entity=entity, iban=given).first()
            or BankAccount.objects.filter(entity=entity, account_number=options["account"].strip()).first()
        )
        if account is None:
            raise CommandError(f"No bank account {options['account']} in {entity.name}.", returncode=1)
        mapping = None if options["remove"] else read_mapping(options["mapping"])
        try:
            account = bank_account_set_csv_mapping(account=account, mapping=mapping, by=SYSTEM)
        except BusinessError as error:
            raise CommandError(f"{error.message} [{error.code}]", returncode=1) from None
        self.stdout.write(
            f"{'REMOVED' if mapping is None else 'SAVED  '}   CSV mapping of {account.identifier}"
        )

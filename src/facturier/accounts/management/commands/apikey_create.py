"""`facturier apikey create --entity ... --scopes ...`: create an API key and print it once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.accounts.services import api_key_create
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "Create an API key for a company with the given scopes; the key is printed once, never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="company name, SIREN or id")
        parser.add_argument(
            "--scopes",
            required=True,
            help="comma-separated, e.g. invoices:read,invoices:write; invoices:approve and credit_notes:approve "
            "(not implied by write) for a key that approves, never what it submitted itself",
        )
        parser.add_argument("--name", default="API key", help="a label to recognise the key later")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            key, secret = api_key_create(entity=entity, name=options["name"], scopes=scopes, by=SYSTEM)
        except BusinessError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
        self.stderr.write(
            f"API key '{key.name}' ({key.prefix}) for {entity.name}, scopes: {', '.join(key.scopes)}.\n"
            "Store it now: it is shown only this once. Use it as 'Authorization: Bearer <key>'."
        )

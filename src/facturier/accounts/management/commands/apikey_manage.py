"""`facturier apikey list|revoke --entity ...`: see a company's keys, revoke a leaked one at once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from facturier.accounts.actor import SYSTEM
from facturier.accounts.management.lookup import find_entity
from facturier.accounts.models import ApiKey
from facturier.accounts.services import api_key_revoke
from facturier.common.errors import BusinessError


class Command(BaseCommand):
    help = "List a company's API keys (never their secrets) or revoke one by its prefix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("list", "revoke"))
        parser.add_argument("--entity", required=True, help="company name, SIREN or id")
        parser.add_argument("--prefix", help="the key's prefix (the part after 'fk_'), for revoke")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        if options["action"] == "list":
            for key in ApiKey.objects.filter(entity=entity).order_by("created_at"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
                self.stdout.write(
                    f"{key.prefix}  {state:<18} last used {used:<16}  {key.name}  {','.join(key.scopes)}"
                )
            return
        if not options["prefix"]:
            raise CommandError("revoke needs --prefix (see 'facturier apikey list').")
        try:
            key = api_key_revoke(entity=entity, prefix=options["prefix"], by=SYSTEM)
        except BusinessError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"API key '{key.name}' ({key.prefix}) of {entity.name} is revoked.")

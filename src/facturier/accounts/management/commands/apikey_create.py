"""`facturier apikey create --entity ... --scopes ...`: create an API key and print it once."""

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from facturier.accounts.models import LegalEntity
from facturier.accounts.services import api_key_create
from facturier.common.errors import BusinessError


def find_entity(reference: str) -> LegalEntity:
    """The entity named by its id, SIREN or exact name (case-insensitive); refuse an ambiguous name."""
    reference = reference.strip()
    query = Q(siren=reference.replace(" ", "")) | Q(name__iexact=reference)
    if _is_uuid(reference):
        query |= Q(pk=reference)
    matches = list(LegalEntity.objects.filter(query)[:2])
    if not matches:
        known = ", ".join(f"{e.name} ({e.siren or e.pk})" for e in LegalEntity.objects.all()[:20])
        raise CommandError(f"No company matches '{reference}'. Known: {known or 'none yet'}.")
    if len(matches) > 1:
        raise CommandError(f"Several companies match '{reference}': give the SIREN or the id.")
    return matches[0]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class Command(BaseCommand):
    help = "Create an API key for a company with the given scopes; the key is printed once, never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entity", required=True, help="company name, SIREN or id")
        parser.add_argument(
            "--scopes", required=True, help="comma-separated, e.g. invoices:read,invoices:write"
        )
        parser.add_argument("--name", default="API key", help="a label to recognise the key later")

    def handle(self, *args: Any, **options: Any) -> None:
        entity = find_entity(options["entity"])
        scopes = [scope.strip() for scope in options["scopes"].split(",") if scope.strip()]
        try:
            key, secret = api_key_create(entity=entity, name=options["name"], scopes=scopes, by=None)
        except BusinessError as error:
            raise CommandError(error.message) from error
        self.stdout.write(secret)
        self.stderr.write(
            f"API key '{key.name}' ({key.prefix}) for {entity.name}, scopes: {', '.join(key.scopes)}.\n"
            "Store it now: it is shown only this once. Use it as 'Authorization: Bearer <key>'."
        )

"""Finding the company a command works on, from what an operator types: its id, SIREN or name."""

import uuid

from django.core.management.base import CommandError
from django.db.models import Q

from facturier.accounts.models import LegalEntity


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

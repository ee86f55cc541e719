"""Taking the next legal number of a series, inside the issuing transaction.

Gapless because the number is taken in the same transaction that issues the document: if anything
fails, the counter rolls back with it. Chronological because the series row is locked while the
issue date is computed, and a date before the series' last issue date is refused.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.common.errors import Conflict
from facturier.domain.numbering import NumberPattern, Reset
from facturier.domain.sealing import GENESIS_HASH
from facturier.invoicing.models import NumberingSeries, SequenceCounter

DEFAULT_PATTERNS = {
    "invoice": ("FAC-{YYYY}-{seq:05}", Reset.YEARLY),
    "credit_note": ("AV-{YYYY}-{seq:05}", Reset.YEARLY),
    "quote": ("DEV-{YYYY}-{seq:05}", Reset.YEARLY),
    "order": ("CMD-{YYYY}-{seq:05}", Reset.YEARLY),
}


def default_series_for(entity: LegalEntity) -> list[NumberingSeries]:
    """Create the entity's default series where missing (idempotent)."""
    return [
        NumberingSeries.objects.get_or_create(
            entity=entity,
            code=code,
            defaults={"pattern": pattern, "reset": reset.value, "chain_hash": GENESIS_HASH},
        )[0]
        for code, (pattern, reset) in DEFAULT_PATTERNS.items()
    ]


@dataclass(frozen=True)
class TakenNumber:
    series: NumberingSeries  # locked for the rest of the transaction
    number: str
    issue_date: dt.date


def take_number(*, entity: LegalEntity, code: str, day: dt.date) -> TakenNumber:
    """Lock the series, check chronology, increment the period's counter and format the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the issuing transaction")
    default_series_for(entity)
    series = NumberingSeries.objects.select_for_update().get(entity=entity, code=code)
    if series.last_issue_date and day < series.last_issue_date:
        raise Conflict(
            _(
                "Cannot number a document dated %(day)s in series '%(code)s': a document dated %(last_issue_date)s was already numbered (numbering must be chronological)."
            )
            % {"day": day, "code": code, "last_issue_date": series.last_issue_date},
            code="numbering_not_chronological",
        )
    pattern = NumberPattern(series.pattern, Reset(series.reset))
    counter, _created = SequenceCounter.objects.get_or_create(series=series, period=pattern.period_key(day))
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    series.last_issue_date = day
    series.save(update_fields=["last_issue_date"])
    return TakenNumber(series=series, number=pattern.format(counter.last_value, day), issue_date=day)

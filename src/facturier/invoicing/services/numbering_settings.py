"""Changing a numbering series' pattern or reset policy, which the company's administrators may do.

A legal sequence must read as one unbroken run within its period: changing the pattern after a number
was taken in the current period would split it in two (FAC-2026-00041, then F26-00042). So a change is
accepted only while the series has taken no number in the current period (nor a later one), i.e. at the
start of a new year or month, or before the first invoice.
"""

import calendar
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.numbering import InvalidPattern, NumberPattern, Reset
from facturier.invoicing.models import NumberingSeries, SequenceCounter
from facturier.invoicing.services.common import entity_today


def _period_end(period: str) -> dt.date:
    """The last day a counter's period covers ("2026", "2026-11"); "all" never ends."""
    if period == "all":
        return dt.date.max
    year, _dash, month = period.partition("-")
    if not month:
        return dt.date(int(year), 12, 31)
    return dt.date(int(year), int(month), calendar.monthrange(int(year), int(month))[1])


def open_period_counters(series: NumberingSeries, today: dt.date) -> list[SequenceCounter]:
    """Counters of periods not over yet that already hold numbers: while there is one, the pattern stays."""
    return [
        counter
        for counter in SequenceCounter.objects.filter(series=series, last_value__gt=0).order_by("period")
        if _period_end(counter.period) >= today
    ]


def series_state(series: NumberingSeries) -> dict[str, Any]:
    return {"code": series.code, "pattern": series.pattern, "reset": series.reset}


@transaction.atomic
def numbering_series_update(
    *, series: NumberingSeries, by: Actor, pattern: str | None = None, reset: str | None = None
) -> NumberingSeries:
    """Change the pattern and/or reset policy of a series (validated, refused mid-period, audited)."""
    series = NumberingSeries.objects.select_for_update().select_related("entity").get(pk=series.pk)
    authorize(by, Action.MANAGE_ENTITY, series.entity)
    new_pattern = series.pattern if pattern is None else pattern.strip()
    try:
        new_reset = Reset(series.reset if reset is None else reset)
    except ValueError:
        raise ValidationFailed(
            _("Unknown reset policy '%(reset)s'.") % {"reset": reset}, field="reset", code="invalid_reset"
        ) from None
    try:
        NumberPattern(new_pattern, new_reset)
    except InvalidPattern as error:
        raise ValidationFailed(str(error), field="pattern", code="invalid_pattern") from error
    if new_pattern == series.pattern and new_reset == series.reset:
        return series
    busy = open_period_counters(series, entity_today(series.entity))
    if busy:
        raise Conflict(
            _(
                "The series '%(code)s' already numbered %(last_value)s document(s) in period %(period)s: a legal sequence cannot change in the middle of a period. Change it when the next period starts, before its first number."
            )
            % {"code": series.code, "last_value": busy[-1].last_value, "period": busy[-1].period},
            field="pattern",
            code="series_in_use",
            period=busy[-1].period,
        )
    before = series_state(series)
    series.pattern, series.reset = new_pattern, new_reset.value
    series.save(update_fields=["pattern", "reset", "updated_at"])
    audit_record(entity=series.entity, actor=by, action="numbering_series.updated", obj=series,
                 before=before, after=series_state(series))  # fmt: skip
    return series

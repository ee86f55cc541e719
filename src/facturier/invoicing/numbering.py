"""Taking the next legal number of a series, inside the issuing transaction.

Gapless because the number is taken in the same transaction that issues the document: if anything
fails, the counter rolls back with it. Chronological because the series row is locked while the
issue date is computed, and a date before the series' last issue date is refused.

Because of that second rule a single document dated far ahead would block its series for good, so every
numbered kind (quotes, orders, invoices, credit notes, deposits) goes through one date window here: no
later than today in the entity's time zone plus `FACTURIER_NUMBERING_FUTURE_DAYS` (default 0).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.common.errors import Conflict, ValidationFailed
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


def latest_document_date(entity: LegalEntity) -> dt.date:
    """The last day a numbered document may bear: the entity's today plus the configured tolerance."""
    today = timezone.localdate(timezone=ZoneInfo(entity.time_zone))
    return today + dt.timedelta(days=settings.FACTURIER_NUMBERING_FUTURE_DAYS)


def check_document_date(entity: LegalEntity, day: dt.date) -> None:
    """Refuse (422 `issue_date_in_future`, field `issue_date`) a date after `latest_document_date`."""
    latest = latest_document_date(entity)
    if day > latest:
        raise ValidationFailed(
            _("A document cannot be dated later than %(latest)s (%(issue_date)s was given).")
            % {"latest": latest, "issue_date": day},
            field="issue_date",
            code="issue_date_in_future",
        )


@dataclass(frozen=True)
class TakenNumber:
    series: NumberingSeries  # locked for the rest of the transaction
    number: str  # the last one taken
    issue_date: dt.date
    numbers: tuple[str, ...] = ()  # every number taken, in order (``count``)
    audit_head: Any = None  # an audit chain of ``audit_owner`` locked with the series, if one was free


def take_number(
    *,
    entity: LegalEntity,
    code: str,
    day: dt.date,
    save_series: bool = True,
    count: int = 1,
    audit_owner: str | None = None,
) -> TakenNumber:
    """Check the date window, lock the series, check chronology, increment the period's counter, format.

    Two statements once the series exists: the series row locked, its counter incremented in place
    (``UPDATE ... RETURNING``). The series' new ``last_issue_date`` is saved here, unless
    ``save_series=False``: then the caller saves it, in the same transaction, with the chain it seals
    (``series.save(update_fields=["last_issue_date", ...])``), one statement fewer under the lock.
    ``count``: that many consecutive numbers at once, all of the same day (``numbers``; issuing a batch).

    On PostgreSQL the series is locked and its counter incremented by one statement (``_lock_and_increment``),
    which also locks a free audit chain of ``audit_owner`` when given (``audit_head``): one round trip
    where there were three, while the series is held.
    """
    if count < 1:
        raise ValueError("count is at least 1")
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("take_number must run inside the issuing transaction")
    check_document_date(entity, day)
    value, audit_head, series = None, None, None
    if connection.vendor == "postgresql":
        series, value, audit_head = _lock_and_increment(entity, code, day, count, audit_owner)
    if series is None:
        series = NumberingSeries.objects.select_for_update().filter(entity=entity, code=code).first()
    if series is None:  # first use: the default series are created, then locked
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
    if value is None:  # not incremented yet (other databases, the period's first number)
        value = _increment(series, pattern.period_key(day), count)
    series.last_issue_date = day
    if save_series:
        series.save(update_fields=["last_issue_date"])
    numbers = tuple(pattern.format(n, day) for n in range(value - count + 1, value + 1))
    _taken[_series_key(entity, code)] = (series.pattern, series.reset, pattern.period_key(day), value)
    return TakenNumber(
        series=series, number=numbers[-1], issue_date=day, numbers=numbers, audit_head=audit_head
    )


def _lock_and_increment(
    entity: LegalEntity, code: str, day: dt.date, count: int, audit_owner: str | None
) -> tuple[NumberingSeries | None, int | None, Any]:
    """PostgreSQL, one statement: the series locked (as ``select_for_update().filter(...).first()``), then
    its counter of ``day``'s period incremented in place unless ``day`` is before the series' last issue
    date (``take_number`` then refuses it), then, when ``audit_owner`` is given, one of its free audit
    chains locked. The counter update and the chain's subquery read the locked series row, so they run
    after its lock is taken: the series is always locked first, as ``take_number`` always did.

    Returns the series (None if it does not exist yet), the counter's new value (None when it was not
    incremented: no counter for the period yet, or a refused date) and the audit chain's head (or None).
    """
    from facturier.audit.chain import adopt_locked_chain, free_chain_lateral

    connection = transaction.get_connection()
    quote = connection.ops.quote_name
    fields = list(NumberingSeries._meta.concrete_fields)
    periods = [
        NumberPattern("{YYYY}{MM}{seq}", reset).period_key(day) for reset in (Reset.YEARLY, Reset.MONTHLY)
    ]
    select = ", ".join(f"s.{quote(field.column)}" for field in fields)
    lateral, lateral_params = free_chain_lateral(audit_owner, "s.id") if audit_owner else ("", [])
    sql = (
        f"WITH s AS (SELECT * FROM {quote(NumberingSeries._meta.db_table)} "  # noqa: S608 - the models' own tables and columns
        "WHERE entity_id = %s AND code = %s ORDER BY id LIMIT 1 FOR UPDATE), "
        f"c AS (UPDATE {quote(SequenceCounter._meta.db_table)} AS c SET last_value = c.last_value + %s FROM s "
        "WHERE c.series_id = s.id AND c.period = CASE s.reset WHEN %s THEN %s WHEN %s THEN %s ELSE %s END "
        "AND (s.last_issue_date IS NULL OR s.last_issue_date <= %s) RETURNING c.last_value) "
        f"SELECT {select}, (SELECT last_value FROM c)"
        + (
            f", a.key, a.last_hash, a.length FROM s LEFT JOIN {lateral} AS a ON true"
            if audit_owner
            else " FROM s"
        )
    )
    params: list[Any] = [
        NumberingSeries._meta.get_field("entity").get_db_prep_value(entity.pk, connection),
        code,
        count,
        Reset.YEARLY.value,
        periods[0],
        Reset.MONTHLY.value,
        periods[1],
        "all",
        day,
        *lateral_params,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None, None, None
    series = NumberingSeries.from_db(
        connection.alias, [field.attname for field in fields], row[: len(fields)]
    )
    value = row[len(fields)]
    head = None
    if audit_owner and row[len(fields) + 1] is not None:
        head = adopt_locked_chain(audit_owner, *row[len(fields) + 1 :])
    return series, value, head


def _increment(series: NumberingSeries, period: str, count: int = 1) -> int:
    """The period's counter plus ``count``, stored: one ``UPDATE ... RETURNING`` (PostgreSQL, SQLite >= 3.35)
    once the counter exists; its first number of a period creates it. The caller holds the series lock."""
    table = SequenceCounter._meta.db_table
    connection = transaction.get_connection()
    series_id = NumberingSeries._meta.pk.get_db_prep_value(series.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_value = last_value + %s WHERE series_id = %s AND period = %s "  # noqa: S608 - the model's own table name
            "RETURNING last_value",
            [count, series_id, period],
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    counter, _created = SequenceCounter.objects.get_or_create(series=series, period=period)
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return counter.last_value


def provisional_number(*, entity: LegalEntity, code: str, day: dt.date) -> str:
    """The number the next document of the series would most likely get (``provisional_numbers``)."""
    return provisional_numbers(entity=entity, code=code, day=day, count=1)[0]


# (database, entity id, series code) -> (pattern, reset, period, counter value) as this process last took
# a number of that series under its lock: what the next provisional numbers are computed from, no query
_taken: dict[tuple[str, str, str], tuple[str, str, str, int]] = {}


def _series_key(entity: LegalEntity, code: str) -> tuple[str, str, str]:
    return (str(transaction.get_connection().settings_dict.get("NAME")), str(entity.pk), code)


def provisional_numbers(*, entity: LegalEntity, code: str, day: dt.date, count: int) -> list[str]:
    """The numbers the next ``count`` documents of the series would most likely get, read without any lock.

    Issuing serializes and validates the e-invoice with it before taking the real number under the
    series lock (`services.issuing`); it is never stored. When it already names another document (a
    concurrent issuer took it first) the real number differs only in its sequence digits.

    Once this process has taken a number of the series in the day's period, they follow the last one
    it took (``_taken``), without a query: the pattern and the period are those the series had then, and
    other processes may have taken numbers since, which only makes the provisional number stale, as a
    read without the lock can be too. Issuing then puts the real number in its place when it has the
    same shape, and otherwise serializes and validates again under the lock (a pattern changed since,
    a counter gaining a digit): a stale provisional number costs time, never correctness.
    """
    known = _taken.get(_series_key(entity, code))
    if known is not None:
        pattern, reset, period, last = known
        cached = NumberPattern(pattern, Reset(reset))
        if cached.period_key(day) == period:
            return [cached.format(last + 1 + n, day) for n in range(count)]
    periods = {reset: NumberPattern("{YYYY}{MM}{seq}", reset).period_key(day) for reset in Reset}
    counters = SequenceCounter.objects.filter(series=OuterRef("pk")).values("last_value")
    row = (  # one query: the series and the counter of the day's period for each kind of reset
        NumberingSeries.objects.filter(entity=entity, code=code)
        .annotate(**{f"last_{r.value}": Subquery(counters.filter(period=p)) for r, p in periods.items()})
        .values("pattern", "reset", *(f"last_{r.value}" for r in Reset))
        .first()
    )
    if row is None:
        pattern, reset = DEFAULT_PATTERNS.get(code, DEFAULT_PATTERNS["invoice"])
        return [NumberPattern(pattern, reset).format(1 + n, day) for n in range(count)]
    pattern_ = NumberPattern(row["pattern"], Reset(row["reset"]))
    last = row[f"last_{pattern_.reset.value}"] or 0
    return [pattern_.format(last + 1 + n, day) for n in range(count)]


def same_shape(first: str, second: str) -> bool:
    """Same length, and at each position a digit where the other has one and otherwise the same character."""
    return len(first) == len(second) and all(
        a == b or (a.isdigit() and b.isdigit() and a.isascii() and b.isascii())
        for a, b in zip(first, second, strict=True)
    )

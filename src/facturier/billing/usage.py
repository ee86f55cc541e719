"""Writes of usage (metered) billing: metrics, and batches of usage events (API, CSV import).

`usage_record` takes a batch (at most `MAX_BATCH` events) and sorts every event into one outcome:
accepted, duplicate (its ``event_id`` is already recorded for the entity, or earlier in the batch:
re-sending a batch changes nothing) or refused with a stable code (`billing.errors`: unknown metric,
customer or contract, negative or malformed quantity, naive or absurd time, late event). The accepted
ones are written in one transaction with one bulk insert (`ON CONFLICT DO NOTHING`, then re-read, so a
concurrent batch carrying the same ids cannot make one count twice), one audit record for the batch
(`usage.recorded`), one upsert of the daily totals they add to (`UsageDayTotal`, one row per metric,
customer, contract and day of the entity's calendar), then the thresholds of the touched metered items
are checked once per item in the same transaction (`billing.thresholds`). A batch costs the same number
of queries whatever its size (about a dozen, plus those of a threshold crossing's invoice).

Late events: an event of a period already invoiced is accepted until the metric's ``late_days`` after
that period ended (it is then billed as an adjustment on the next invoice), refused after (`late_event`).
An event of a period not invoiced yet is always accepted: it is billed with its period.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Field
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.billing import errors
from facturier.billing.models import BilledPeriod, Contract, ContractItem, Metric, UsageDayTotal, UsageEvent
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.billing.periods import Alignment, parse_frequency, period_containing
from facturier.domain.billing.usage import Aggregation
from facturier.invoicing.services.common import entity_today
from facturier.parties.models import Customer

MAX_BATCH = 1000
MAX_QUANTITY = Decimal("1e14")
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=1)


@dataclass(frozen=True)
class EventData:
    """One usage event as sent: the metric and customer by code, the contract (optional) by reference."""

    event_id: str
    metric: str
    customer: str
    quantity: Decimal
    occurred_at: dt.datetime
    contract: str = ""
    dimension: str = ""


@dataclass
class BatchResult:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"accepted": len(self.accepted), "duplicates": self.duplicates, "refused": self.refused,
                "accepted_ids": self.accepted}  # fmt: skip


@transaction.atomic
def metric_create(
    *, entity: LegalEntity, by: Actor, code: str, name: str = "", unit: str = "C62",
    aggregation: str = Aggregation.SUM, late_days: int = 3,
) -> Metric:  # fmt: skip
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="contracts")
    code = code.strip()
    if not code or len(code) > 50:
        raise ValidationFailed(
            _("A metric needs a code (50 characters at most)."), field="code", code="required"
        )
    try:
        kind = Aggregation(aggregation)
    except ValueError as error:
        raise ValidationFailed(
            _("Unknown aggregation."), field="aggregation", code="invalid_choice"
        ) from error
    if late_days < 0:
        raise ValidationFailed(
            _("The late events window is not negative."), field="late_days", code="invalid"
        )
    if Metric.objects.filter(entity=entity, code=code).exists():
        raise Conflict(_("A metric with this code exists."), field="code", code=errors.DUPLICATE_METRIC)
    metric = Metric.objects.create(entity=entity, code=code, name=name or code, unit=unit,
                                   aggregation=kind, late_days=late_days)  # fmt: skip
    audit_record(entity=entity, actor=by, action="usage_metric.created", obj=metric,
                 after={"code": code, "aggregation": kind, "late_days": late_days})  # fmt: skip
    return metric


def _refusal(event: EventData, index: int, code: str, reason: str) -> dict[str, Any]:
    return {"index": index, "event_id": str(event.event_id)[:100], "code": code, "reason": reason}


def _check(event: EventData, now: dt.datetime) -> tuple[str, str] | None:
    """The shape errors of one event: (code, reason), or None."""
    if not isinstance(event.event_id, str) or not event.event_id.strip() or len(event.event_id) > 100:
        return errors.INVALID_EVENT_ID, _("An event id is 1 to 100 characters.")
    quantity = event.quantity
    if not isinstance(quantity, Decimal) or not quantity.is_finite():
        return errors.INVALID_QUANTITY, _("The quantity is not a number.")
    if quantity < 0:
        return errors.NEGATIVE_QUANTITY, _(
            "A quantity is not negative (send a correction as its own metric)."
        )
    if quantity >= MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.000001"), rounding="ROUND_DOWN"):
        return errors.INVALID_QUANTITY, _("A quantity has at most 14 digits and 6 decimals.")
    when = event.occurred_at
    if not isinstance(when, dt.datetime) or when.tzinfo is None or when.utcoffset() is None:
        return errors.INVALID_TIME, _("The time of an event carries its offset (e.g. 2026-01-31T23:30:00Z).")
    if not EARLIEST <= when <= now + FUTURE_SLACK:
        return errors.INVALID_TIME, _("The time of this event is too far in the past or in the future.")
    if len(event.dimension) > 200 or len(event.contract) > 50:
        return errors.INVALID_EVENT_ID, _("The dimension is 200 characters at most, the contract 50.")
    return None


class _LateCheck:
    """Is an event beyond the late window of an invoiced period? At the first event old enough to ask,
    the metered items of the batch's customers and metrics and their billed periods are read (two
    queries for the whole batch)."""

    def __init__(self, today: dt.date, customer_ids: Sequence[Any], metrics: Sequence[Metric]) -> None:
        self.today, self._customer_ids, self._metrics = today, customer_ids, metrics
        self._items: dict[tuple[Any, Any], list[ContractItem]] | None = None
        self._billed: dict[Any, set[dt.date]] = {}

    def _load(self) -> dict[tuple[Any, Any], list[ContractItem]]:
        items: dict[tuple[Any, Any], list[ContractItem]] = {}
        found = ContractItem.objects.filter(
            metric__in=self._metrics, contract__customer_id__in=self._customer_ids
        ).select_related("contract")
        for item in found:
            items.setdefault((item.contract.customer_id, item.metric_id), []).append(item)
        contracts = {item.contract_id for group in items.values() for item in group}
        for contract_id, start in BilledPeriod.objects.filter(contract_id__in=contracts).values_list(
            "contract_id", "period_start"
        ):
            self._billed.setdefault(contract_id, set()).add(start)
        return items

    def refused(self, customer_id: Any, metric: Metric, contract_id: Any, day: dt.date) -> bool:
        if day >= self.today - dt.timedelta(days=metric.late_days):
            return False  # its period ends after the day: within the window whatever it is
        if self._items is None:
            self._items = self._load()
        for item in self._items.get((customer_id, metric.pk), []):
            contract = item.contract
            if contract_id is not None and contract.pk != contract_id:
                continue
            anchor = contract.start_date + dt.timedelta(days=contract.trial_days)
            if day < anchor:
                continue
            period = period_containing(
                parse_frequency(contract.frequency), Alignment(contract.alignment), anchor, day
            )
            closed = period.end + dt.timedelta(days=metric.late_days)
            if period.start in self._billed.get(contract.pk, ()) and self.today >= closed:
                return True
        return False


def _lookups(entity: LegalEntity, events: Sequence[EventData]) -> tuple[dict[str, Any], ...]:
    metrics = {m.code: m for m in Metric.objects.filter(entity=entity, code__in={e.metric for e in events})}
    customers = dict(
        Customer.objects.filter(entity=entity, code__in={e.customer for e in events}).values_list(
            "code", "pk"
        )
    )
    refs = {e.contract for e in events if e.contract}
    contracts = (
        {c.reference: c for c in Contract.objects.filter(entity=entity, reference__in=refs)} if refs else {}
    )
    return metrics, customers, contracts


def _cutoffs(metrics: dict[str, Metric], today: dt.date, zone: ZoneInfo) -> dict[str, dt.datetime]:
    """Per metric code, the instant from which an event is within the late window whatever its period
    (local midnight of ``today - late_days``): events after it need no calendar day for that check."""
    return {
        code: dt.datetime.combine(today - dt.timedelta(days=metric.late_days), dt.time(), tzinfo=zone)
        for code, metric in metrics.items()
    }


def usage_record(*, entity: LegalEntity, by: Actor, events: Sequence[EventData]) -> BatchResult:
    """Record a batch of usage events (see the module): one transaction, one bulk insert."""
    from django.utils import timezone

    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="usage")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(
            _("A batch holds %(max)s events at most.") % {"max": MAX_BATCH}, field="events",
            code=errors.BATCH_TOO_LARGE,
        )  # fmt: skip
    result = BatchResult()
    now = timezone.now()
    zone, today = ZoneInfo(entity.time_zone), entity_today(entity)
    postgres = connection.vendor == "postgresql"  # there the calendar days are computed by the insert
    with transaction.atomic():
        metrics, customers, contracts = _lookups(entity, events)
        cutoffs = _cutoffs(metrics, today, zone)
        late = _LateCheck(today, list(customers.values()), list(metrics.values()))
        seen: set[str] = set()
        rows: list[_Row] = []
        duplicates: list[tuple[int, str]] = []
        refused: list[tuple[int, EventData, str, str, bool]] = []  # the bool: a duplicate if already recorded
        pks = [None] * len(events) if postgres else _uuids(len(events))
        # SQLite: the recorded ids are read first, so a re-sent batch never takes the database's only
        # write lock (on PostgreSQL the insert finds them, without a read for a batch of new events)
        recorded = (
            set() if postgres else _known(entity, {e.event_id for e in events if isinstance(e.event_id, str)})
        )
        for index, event in enumerate(events):
            problem = _check(event, now)
            if problem is not None:
                refused.append((index, event, *problem, False))
                continue
            if event.event_id in seen or event.event_id in recorded:
                duplicates.append((index, event.event_id))
                continue
            metric = metrics.get(event.metric)
            customer_id = customers.get(event.customer)
            contract = contracts.get(event.contract) if event.contract else None
            problem = _lookup_problem(event, metric, customer_id, contract)
            day = None
            if problem is None and event.occurred_at < cutoffs[event.metric]:
                assert metric is not None
                day = event.occurred_at.astimezone(zone).date()  # the entity's calendar day
                if late.refused(customer_id, metric, contract.pk if contract else None, day):
                    problem = (
                        errors.LATE_EVENT,
                        _(
                            "This event belongs to a period already invoiced and its late window "
                            "(%(days)s days after the period) has passed."
                        )
                        % {"days": metric.late_days},
                    )
            if problem is not None:
                refused.append((index, event, *problem, True))
                continue
            if day is None and not postgres:
                day = event.occurred_at.astimezone(zone).date()
            seen.add(event.event_id)
            assert metric is not None
            rows.append(_Row(pks[index], event.event_id, metric.pk, customer_id,
                             contract.pk if contract else None, event.quantity, event.occurred_at,
                             event.dimension, day, index))  # fmt: skip
        # an event refused for what it names or its date is a duplicate when its id is recorded already
        # (whatever its content, the first one wins): asked only when such a refusal happened
        asked = {event.event_id for _i, event, _c, _r, ask in refused if ask and event.event_id not in seen}
        known = _known(entity, asked) if asked and postgres else set()
        for index, event, code, reason, ask in refused:
            if ask and event.event_id in known:
                duplicates.append((index, event.event_id))
            else:
                result.refused.append(_refusal(event, index, code, reason))
        if rows:
            accepted = _insert(entity, rows, result, now, duplicates)
            if accepted:
                audit_record(entity=entity, actor=by, action="usage.recorded", obj=entity,
                             after={"accepted": len(result.accepted), "duplicates": len(duplicates),
                                    "refused": len(result.refused)})  # fmt: skip
                if not postgres:  # PostgreSQL: added by the insert itself
                    _add_to_totals(accepted)
                from facturier.billing.thresholds import check_thresholds

                check_thresholds(entity, {(row.customer_id, row.metric_id) for row in accepted}, today=today)
        duplicates.sort()
        result.duplicates = [event_id for _index, event_id in duplicates]
    return result


def _lookup_problem(event: EventData, metric: Metric | None, customer_id: Any,
                    contract: Contract | None) -> tuple[str, str] | None:  # fmt: skip
    if metric is None:
        return errors.UNKNOWN_METRIC, _("No metric has the code '%(code)s'.") % {"code": event.metric}
    if customer_id is None:
        return errors.UNKNOWN_CUSTOMER, _("No customer has the code '%(code)s'.") % {"code": event.customer}
    if event.contract and (contract is None or contract.customer_id != customer_id):
        return errors.UNKNOWN_CONTRACT, _("This customer has no contract '%(ref)s'.") % {
            "ref": event.contract
        }
    return None


def _uuids(count: int) -> list[uuid.UUID]:
    """``count`` random (version 4) UUIDs from one read of the system's random source."""
    data = os.urandom(16 * count)
    return [uuid.UUID(bytes=data[16 * n : 16 * n + 16], version=4) for n in range(count)]


class _Row(NamedTuple):
    pk: uuid.UUID | None  # drawn by PostgreSQL itself
    event_id: str
    metric_id: Any
    customer_id: Any
    contract_id: Any
    quantity: Decimal
    occurred_at: dt.datetime
    dimension: str
    day: dt.date | None  # computed by PostgreSQL itself
    position: int  # in the batch


COLUMNS = ("id", "entity_id", "event_id", "metric_id", "customer_id", "contract_id", "quantity", "occurred_at",
           "dimension", "created_at")  # fmt: skip


def _known(entity: LegalEntity, ids: set[str]) -> set[str]:
    """The ids among ``ids`` already recorded for the entity."""
    return set(UsageEvent.objects.filter(entity=entity, event_id__in=ids).values_list("event_id", flat=True))


def _insert(
    entity: LegalEntity, rows: list[_Row], result: BatchResult, now: dt.datetime, duplicates: list[tuple[int, str]]
) -> list[_Row]:  # fmt: skip
    """Insert with ``ON CONFLICT DO NOTHING``: an id already recorded, or that a concurrent batch committed
    meanwhile, is skipped and reported as a duplicate, never counted twice. No model instance, no ORM
    compilation per row (the hot path). PostgreSQL: one statement whose rows travel as one JSON parameter,
    adding what it inserted to the daily totals (`_POSTGRES_INSERT`); elsewhere one statement, then a
    re-read (the totals are added by the caller)."""
    rows.sort(key=lambda row: row.event_id)  # concurrent batches sharing ids wait on each other, no deadlock
    if connection.vendor == "postgresql":
        # one JSON text (one parameter, quoted once, parsed once by the server as jsonb) rather than ten
        # arrays quoted element by element; the server draws the ids
        named = {pk for row in rows for pk in (row.metric_id, row.customer_id, row.contract_id)}
        ids = {pk: None if pk is None else str(pk) for pk in named}  # each id written out once
        document = json.dumps([[row.event_id, ids[row.metric_id], ids[row.customer_id], ids[row.contract_id],
                                str(row.quantity), row.occurred_at.isoformat(), row.dimension]
                               for row in rows])  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute(_postgres_insert(), [entity.pk, now, document, entity.time_zone])
            inserted = {found for (found,) in cursor.fetchall()}
    else:
        inserted = _insert_elsewhere(entity, rows, now)
    accepted = []
    for row in rows:
        if row.event_id in inserted:
            result.accepted.append(row.event_id)
            accepted.append(row)
        else:
            duplicates.append((row.position, row.event_id))
    return accepted


def _postgres_insert() -> str:
    """The events inserted and, in the same statement, added to their daily totals (the day of the company's
    calendar computed by the server: ``occurred_at AT TIME ZONE``), rows in a fixed order so that two
    batches never wait on each other in a cycle. Parameters: entity, now, the rows as JSON, time zone."""
    events, totals = (
        connection.ops.quote_name(model._meta.db_table) for model in (UsageEvent, UsageDayTotal)
    )
    casts = ("text", "uuid", "uuid", "uuid", "numeric", "timestamptz", "text")
    picks = ", ".join(f"(e->>{n})::{kind}" for n, kind in enumerate(casts))
    upsert = (f'INSERT INTO {totals} ("metric_id", "customer_id", "contract_id", "day", "count", "total", "peak") '  # noqa: S608
              'SELECT "metric_id", "customer_id", "contract_id", "day", "n", "total", "peak" FROM "days" '
              'WHERE "contract_id" IS {null} ORDER BY "metric_id", "customer_id", "contract_id", "day" '
              'ON CONFLICT ("metric_id", "customer_id", {target}"day") WHERE "contract_id" IS {null} DO UPDATE SET '
              f'"count" = {totals}."count" + excluded."count", "total" = {totals}."total" + excluded."total", '
              f'"peak" = GREATEST({totals}."peak", excluded."peak")')  # fmt: skip
    return (
        f'WITH "ins" AS (INSERT INTO {events} ("event_id", "metric_id", "customer_id", "contract_id", "quantity", '  # noqa: S608
        f'"occurred_at", "dimension", "id", "entity_id", "created_at") SELECT {picks}, gen_random_uuid(), %s, %s '
        "FROM jsonb_array_elements(%s::jsonb) AS e ON CONFLICT DO NOTHING "
        'RETURNING "event_id", "metric_id", "customer_id", "contract_id", "quantity", "occurred_at"), '
        '"days" AS (SELECT "metric_id", "customer_id", "contract_id", ("occurred_at" AT TIME ZONE %s)::date AS "day", '
        'count(*) AS "n", sum("quantity") AS "total", max("quantity") AS "peak" FROM "ins" GROUP BY 1, 2, 3, 4), '
        f'"plain" AS ({upsert.format(null="NULL", target="")}), '
        f'"bound" AS ({upsert.format(null="NOT NULL", target=chr(34) + "contract_id" + chr(34) + ", ")}) '
        'SELECT "event_id" FROM "ins"'
    )  # table and column names are ours, values are parameters


def _insert_elsewhere(entity: LegalEntity, rows: list[_Row], now: dt.datetime) -> set[str]:
    """SQLite: one statement whatever the batch, its rows one JSON parameter read by json_each; then the ids
    whose stored row is ours (drawn here) are the inserted ones."""
    table = connection.ops.quote_name(UsageEvent._meta.db_table)
    fields: list[Field[Any, Any]] = [
        UsageEvent._meta.get_field(name.removesuffix("_id") if name not in ("event_id", "id") else name)  # type: ignore[misc]
        for name in COLUMNS
    ]
    names = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    values = [(row.pk, entity.pk, row.event_id, row.metric_id, row.customer_id, row.contract_id, row.quantity,
               row.occurred_at, row.dimension, now) for row in rows]  # fmt: skip
    prepare = [field.get_db_prep_save for field in fields]
    document = json.dumps([[prep(value, connection) for prep, value in zip(prepare, row, strict=True)]
                           for row in values], default=str)  # fmt: skip
    picks = ", ".join(f"json_extract(value, '$[{n}]')" for n in range(len(COLUMNS)))
    sql = (f"INSERT INTO {table} ({names}) SELECT {picks} FROM json_each(%s) WHERE true "  # noqa: S608
           "ON CONFLICT DO NOTHING")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, [document])  # table and column names come from the model, values are a parameter
    mine = {row.event_id: row.pk for row in rows}
    stored = UsageEvent.objects.filter(entity=entity, event_id__in=list(mine)).values_list("event_id", "pk")
    return {event_id for event_id, pk in stored if mine[event_id] == pk}


def _add_to_totals(rows: list[_Row]) -> None:
    """Add the accepted events to their daily totals (SQLite; PostgreSQL's insert does it): one upsert per
    kind of key (with or without a contract), rows in a fixed order so that two batches never wait on each
    other in a cycle."""
    totals: dict[tuple[Any, Any, Any, dt.date], list[Any]] = {}
    for row in rows:
        assert row.day is not None  # computed in Python for this path
        key = (row.metric_id, row.customer_id, row.contract_id, row.day)
        found = totals.get(key)
        if found is None:
            totals[key] = [1, row.quantity, row.quantity]
        else:
            found[0] += 1
            found[1] += row.quantity
            if row.quantity > found[2]:
                found[2] = row.quantity
    table = connection.ops.quote_name(UsageDayTotal._meta.db_table)
    names = ("metric", "customer", "contract", "day", "count", "total", "peak")
    prepare = [UsageDayTotal._meta.get_field(name).get_db_prep_save for name in names]  # type: ignore[union-attr]
    per_statement = (connection.features.max_query_params or 7 * MAX_BATCH) // 7  # a batch: one statement
    for with_contract in (False, True):
        keys = sorted((key for key in totals if (key[2] is not None) is with_contract), key=str)
        if not keys:
            continue
        target = ('"metric_id", "customer_id", "contract_id", "day") WHERE "contract_id" IS NOT NULL'
                  if with_contract else '"metric_id", "customer_id", "day") WHERE "contract_id" IS NULL')  # fmt: skip
        with connection.cursor() as cursor:
            for start in range(0, len(keys), per_statement):  # SQLite: 999 parameters at most
                chunk = keys[start : start + per_statement]
                params: list[Any] = []
                for key in chunk:
                    count, total, peak = totals[key]
                    line = (*key, count, total, peak)
                    params += [prep(value, connection) for prep, value in zip(prepare, line, strict=True)]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                cursor.execute(
                    f'INSERT INTO {table} ("metric_id", "customer_id", "contract_id", "day", "count", "total", '  # noqa: S608
                    f'"peak") VALUES {values} ON CONFLICT ({target} DO UPDATE SET '
                    f'"count" = {table}."count" + excluded."count", "total" = {table}."total" + excluded."total", '
                    f'"peak" = CASE WHEN excluded."peak" > {table}."peak" THEN excluded."peak" ELSE {table}."peak" END',
                    params,
                )  # table and column names are ours, values are parameters

"""The event outbox: written in the transaction of each audited change, read in order by consumers.

Writing: ``audit_record`` (and ``audit_record_many``) inserts one outbox event per audit event, from
``audited_outbox_fields``, inside its transaction, so an event exists if and only if the change
committed. Reading: ``outbox_consume`` hands each consumer the events after its cursor, in a stable
order, and moves the cursor in the same transaction as the handler's own writes. Delivery is at least once: a handler that fails (or a
worker that dies) leaves the cursor where it was and sees the same events again, so handlers are
idempotent by ``event_id``.

Order on PostgreSQL: positions are taken at insert time but transactions commit in any order, so a
plain ``position > cursor`` could step over an event whose transaction commits later. Each row
therefore carries its transaction id and consumers only read transactions older than the oldest one
of this database still running (``_OldestRunningTx``), ordered by ``(tx, position)``: every event that could still
appear sorts after the cursor. SQLite has one writer at a time, so position order is commit order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models, transaction
from django.db.models import BigIntegerField, Func, Q

from facturier.jobs.events import event_type, subject_name
from facturier.jobs.models import ConsumerCursor, OutboxEvent


class _CurrentTx(Func):
    """PostgreSQL: the id of the writing transaction."""

    template = "pg_current_xact_id()::text::bigint"
    output_field = BigIntegerField()


class _OldestRunningTx(Func):
    """PostgreSQL: every transaction of this database below this id has committed or aborted.

    Transaction ids are server-wide, so ``pg_snapshot_xmin`` alone would let a long transaction in any
    other database of the server hold every consumer back. Only this database's running transactions
    (``pg_stat_activity.backend_xid``, 32-bit: matched on the low 32 bits of the snapshot's 64-bit
    in-progress ids) can still write events here; with none running, everything below the snapshot's
    ``xmax`` is settled.
    """

    template = (
        "(SELECT COALESCE(MIN(running::text::bigint), pg_snapshot_xmax(pg_current_snapshot())::text::bigint)"
        " FROM pg_snapshot_xip(pg_current_snapshot()) AS running"
        " WHERE running::text::bigint %%%% 4294967296 IN ("
        "SELECT backend_xid::text::bigint FROM pg_stat_activity"
        " WHERE datname = current_database() AND backend_xid IS NOT NULL))"
    )
    output_field = BigIntegerField()


def _current_tx() -> Any:
    return _CurrentTx() if connection.vendor == "postgresql" else 0


def outbox_publish(
    *,
    type: str,  # noqa: A002 - the event's field name
    entity: Any | None,
    subject_type: str,
    subject_id: str,
    payload: dict[str, Any],
    occurred_at: Any,
) -> OutboxEvent:
    """Append one event in the caller's transaction (for events that are not audit records)."""
    event = OutboxEvent(
        event_id=uuid.uuid4(), tx=_current_tx(), type=type, entity=entity, subject_type=subject_type,
        subject_id=subject_id, payload=payload, occurred_at=occurred_at,
    )  # fmt: skip
    event.save(force_insert=True)
    if not isinstance(event.tx, int):
        event.refresh_from_db(fields=["tx"])
    return event


def audited_outbox_fields(*, audit_event: Any, obj: models.Model) -> dict[str, Any]:
    """The fields of an audit record's outbox event: same time, entity and subject; the change as payload."""
    payload = {
        "id": str(obj.pk),
        "repr": audit_event.object_repr,
        "actor": audit_event.actor_label,
        "audit_action": audit_event.action,
        "before": audit_event.before,
        "after": audit_event.after,
    }
    return {
        "type": event_type(audit_event.action, obj), "entity": audit_event.entity,
        "subject_type": subject_name(audit_event.action, obj),
        "subject_id": str(obj.pk), "payload": payload, "occurred_at": audit_event.occurred_at,
    }  # fmt: skip


def new_outbox_event(**fields: Any) -> OutboxEvent:
    """An unsaved event for ``audit_record``'s single PostgreSQL statement (its ``tx`` is set there)."""
    return OutboxEvent(event_id=uuid.uuid4(), **fields)


def _after(cursor: ConsumerCursor) -> models.QuerySet[OutboxEvent]:
    rows = OutboxEvent.objects.filter(
        Q(tx__gt=cursor.last_tx) | Q(tx=cursor.last_tx, position__gt=cursor.last_position)
    )
    if connection.vendor == "postgresql":
        rows = rows.filter(tx__lt=_OldestRunningTx())
    return rows.order_by("tx", "position")


def outbox_read(*, consumer: str, limit: int = 100) -> list[OutboxEvent]:
    """The next events for ``consumer``, without moving its cursor (a look, e.g. for a status page)."""
    cursor = ConsumerCursor.objects.filter(name=consumer).first() or ConsumerCursor(name=consumer)
    return list(_after(cursor).select_related(None)[:limit])


def outbox_consume(
    *, consumer: str, handle: Callable[[Sequence[OutboxEvent]], None], limit: int = 100
) -> int:
    """Give ``handle`` the next batch of events and advance the cursor, atomically; return the count.

    The cursor row is locked for the batch, so two workers running the same consumer take turns
    instead of handling the same events twice. An exception in ``handle`` rolls back the cursor
    and the handler's writes together.
    """
    with transaction.atomic():
        ConsumerCursor.objects.get_or_create(name=consumer)
        cursor = ConsumerCursor.objects.select_for_update().get(name=consumer)
        events = list(_after(cursor)[:limit])
        if not events:
            return 0
        handle(events)
        cursor.last_tx, cursor.last_position = events[-1].tx, events[-1].position
        cursor.save(update_fields=["last_tx", "last_position", "updated_at"])
        return len(events)

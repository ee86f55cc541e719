"""Writing audit events: called by every service, inside the service's transaction."""

import json
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from facturier.audit.chain import lock_audit_chain
from facturier.audit.keys import keyring
from facturier.audit.models import AuditEvent, ChainHead
from facturier.domain.sealing import canonical_json, seal_mac
from facturier.jobs.models import OutboxEvent
from facturier.jobs.outbox import audited_outbox_fields, new_outbox_event


def actor_label(by: Any | None) -> str:
    """A stable, human-readable name for whoever acted: a user, an API key or the system.

    `by` is an `accounts.actor.Actor` (which names itself: `label`), or one of the rows an actor stands
    for (a user, an ApiKey; None for the system), as documents' `created_by` columns hold them.
    """
    if by is None:
        return "system"
    if isinstance(getattr(by, "label", None), str) and hasattr(by, "api_key"):
        return str(by.label)
    if getattr(by, "is_authenticated", False) and hasattr(by, "get_username"):
        return f"user:{by.get_username()}"
    if by.__class__.__name__ == "ApiKey":
        return f"apikey:{by.prefix}"
    return str(by)


def _user_of(actor: Any | None) -> Any | None:
    """The user an event is attributed to (its `actor` column), if a user acted."""
    if isinstance(getattr(actor, "label", None), str) and hasattr(actor, "api_key"):
        return getattr(actor, "user", None)  # an accounts.actor.Actor
    return actor if getattr(actor, "is_authenticated", False) else None


def _json_safe(data: dict[str, Any] | None) -> Any:
    """Store exactly what gets hashed: Decimals and dates become strings once, here."""
    return None if data is None else json.loads(canonical_json(data))


def audit_record(
    *,
    entity: Any | None,
    actor: Any | None,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to one of the entity's audit chains, in the caller's transaction.

    Which chain: the one this transaction already holds, else a free one (`facturier.audit.chain`).
    """
    return audit_record_many(entity=entity, actor=actor, action=action, changes=[(obj, before, after)])[0]


def audit_record_many(
    *,
    entity: Any | None,
    actor: Any | None,
    action: str,
    changes: Sequence[tuple[models.Model, dict[str, Any] | None, dict[str, Any] | None]],
    head: ChainHead | None = None,
    writes: Sequence[tuple[str, list[Any]]] = (),
) -> list[AuditEvent]:
    """``audit_record`` for several objects at once (``changes``: object, before, after), in their order.

    The events are those ``audit_record`` would append one after another in this transaction: one
    chain (the transaction holds it), consecutive positions, each sealed and linked to the one before,
    one outbox event each. They are written at once: on PostgreSQL events, chain head and outbox events
    in one statement; on SQLite one insert of the events, one update of the head, one of the outbox.

    ``head``: one of the entity's audit chains this transaction has already locked (``chain.locked_head``:
    taken in the statement that locked the numbering series), used instead of locking one here.
    ``writes``: the caller's own data-modifying statements (SQL and parameters, no ``RETURNING``), run in
    the same statement on PostgreSQL (as data-modifying CTEs: they all run, each seeing the database as
    it was before the statement), before the events on other databases: one round trip for all of them.
    """
    if not changes:
        for sql, params in writes:
            _execute(sql, params)
        return []
    keys = keyring()  # read before the chain is locked
    with transaction.atomic(
        savepoint=False
    ):  # the caller's transaction (or its own): no savepoint round trips
        if head is None:
            head = lock_audit_chain(str(entity.pk) if entity is not None else "global")
        user, label = _user_of(actor), actor_label(actor)
        occurred_at = timezone.now().replace(microsecond=0)
        events: list[AuditEvent] = []
        for obj, before, after in changes:
            event = AuditEvent(
                entity=entity,
                actor=user,
                actor_label=label,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                before=_json_safe(before),
                after=_json_safe(after),
                occurred_at=occurred_at,
                chain_key=head.key,
                position=head.length + 1,
                previous_hash=head.last_hash,
            )
            event.key_id = keys.current_id
            event.hash = seal_mac(keys.current, event.previous_hash, event.sealed_content())
            head.last_hash = event.hash
            head.length = event.position
            events.append(event)
        outbox = [
            new_outbox_event(**audited_outbox_fields(audit_event=event, obj=obj))
            for event, (obj, _before, _after) in zip(events, changes, strict=True)
        ]
        if transaction.get_connection().vendor == "postgresql":
            _append(events, head, outbox, writes)
            return events
        for sql, params in writes:
            _execute(sql, params)
        AuditEvent.objects.bulk_create(events)
        head.save(update_fields=["last_hash", "length"])
        OutboxEvent.objects.bulk_create(outbox)  # tx 0 on SQLite: one writer, position order is commit order
        return events


def _insert(instance: models.Model, connection: Any, skip: tuple[str, ...] = ()) -> tuple[str, list[Any]]:
    """The columns and values of ``instance`` as ``save(force_insert=True)`` would send them."""
    fields = [f for f in instance._meta.concrete_fields if f.attname not in skip]
    values = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    return ", ".join(connection.ops.quote_name(f.column) for f in fields), values


def _execute(sql: str, params: list[Any]) -> None:
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(sql, params)


def _append(
    events: list[AuditEvent],
    head: ChainHead,
    outbox: list[OutboxEvent],
    writes: Sequence[tuple[str, list[Any]]] = (),
) -> None:
    """PostgreSQL: the events inserted, the chain head moved and the outbox events inserted in one
    statement (data-modifying CTEs all run, in the caller's transaction), instead of four round trips
    per event, with the caller's ``writes`` as more CTEs before them. Outbox rows are inserted in the
    events' order (their positions follow it)."""
    connection = transaction.get_connection()
    event_columns, event_values = "", []
    for event in events:
        event_columns, values = _insert(event, connection)
        event_values.append(values)
    outbox_columns, outbox_values = "", []
    for row in outbox:
        outbox_columns, values = _insert(row, connection, skip=("position", "tx"))
        outbox_values.append(values)
    quote = connection.ops.quote_name
    event_rows = ", ".join("(" + ", ".join(["%s"] * len(values)) + ")" for values in event_values)
    outbox_rows = ", ".join(
        "(pg_current_xact_id()::text::bigint, " + ", ".join(["%s"] * len(values)) + ")"
        for values in outbox_values
    )
    written = "".join(f"written_{index} AS ({sql}), " for index, (sql, _params) in enumerate(writes))
    sql = (
        f"WITH {written}appended AS (INSERT INTO {quote(AuditEvent._meta.db_table)} ({event_columns}) "  # noqa: S608 - model tables and columns
        f"VALUES {event_rows}), "
        f"moved AS (UPDATE {quote(ChainHead._meta.db_table)} SET last_hash = %s, length = %s WHERE key = %s) "
        f"INSERT INTO {quote(OutboxEvent._meta.db_table)} (tx, {outbox_columns}) "
        f"VALUES {outbox_rows} RETURNING event_id, position, tx"
    )
    params = [value for _sql, values in writes for value in values]
    params += [value for values in event_values for value in values]
    params += [head.last_hash, head.length, head.key]
    params += [value for values in outbox_values for value in values]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        returned = {str(event_id): (position, tx) for event_id, position, tx in cursor.fetchall()}
    for row in outbox:
        row.position, row.tx = returned[str(row.event_id)]
        row._state.adding = False
    for event in events:
        event._state.adding = False

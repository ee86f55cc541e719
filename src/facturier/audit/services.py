"""Writing audit events: called by every service, inside the service's transaction."""

import json
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from facturier.audit.chain import lock_audit_chain
from facturier.audit.keys import keyring
from facturier.audit.models import AuditEvent
from facturier.domain.sealing import canonical_json, seal_mac
from facturier.jobs.outbox import publish_audited


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
    keys = keyring()  # read before the chain is locked
    with transaction.atomic(
        savepoint=False
    ):  # the caller's transaction (or its own): no savepoint round trips
        head = lock_audit_chain(str(entity.pk) if entity is not None else "global")
        key = head.key
        user = _user_of(actor)
        event = AuditEvent(
            entity=entity,
            actor=user,
            actor_label=actor_label(actor),
            action=action,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            before=_json_safe(before),
            after=_json_safe(after),
            occurred_at=timezone.now().replace(microsecond=0),
            chain_key=key,
            position=head.length + 1,
            previous_hash=head.last_hash,
        )
        event.key_id = keys.current_id
        event.hash = seal_mac(keys.current, event.previous_hash, event.sealed_content())
        event.save(force_insert=True)
        head.last_hash = event.hash
        head.length = event.position
        head.save(update_fields=["last_hash", "length"])
        publish_audited(audit_event=event, obj=obj)  # the outbox event, in this same transaction
        return event

"""Append-only, hash-chained audit events (who, when, what, before/after)."""

from typing import Any

from django.conf import settings
from django.db import models

from facturier.common.models import BaseModel


class ChainHead(models.Model):
    """The last link of one hash chain. Locked (SELECT ... FOR UPDATE) while a link is appended,
    which serializes appends to the same chain without blocking other chains."""

    key = models.CharField(max_length=100, primary_key=True)
    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key} #{self.length}"


class AuditEvent(BaseModel):
    """One state change. Never updated nor deleted (database triggers refuse it)."""

    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    chain_key = models.CharField(max_length=100)
    position = models.PositiveBigIntegerField()
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["chain_key", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "position"], name="one_event_per_chain_position")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def sealed_content(self) -> dict[str, object]:
        return event_sealed_content(self)


def event_sealed_content(event: Any) -> dict[str, object]:
    """What an event's seal covers: every column but the seal and its key id (a wrong key id fails anyway).

    A function, not only a method, so that migrations can reseal with their historical models.
    """
    return {
        "id": str(event.id),
        "entity": str(event.entity_id) if event.entity_id else None,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "before": event.before,
        "after": event.after,
        "occurred_at": event.occurred_at,
        "chain_key": event.chain_key,
        "position": event.position,
    }

"""Append-only, hash-chained audit events (who, when, what, before/after)."""

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

    class Meta:
        ordering = ["chain_key", "position"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "position"], name="one_event_per_chain_position")
        ]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"

    def sealed_content(self) -> dict[str, object]:
        """What the hash covers: every column but the hash itself."""
        return {
            "id": str(self.id),
            "entity": str(self.entity_id) if self.entity_id else None,
            "actor": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "object_repr": self.object_repr,
            "before": self.before,
            "after": self.after,
            "occurred_at": self.occurred_at,
            "chain_key": self.chain_key,
            "position": self.position,
        }

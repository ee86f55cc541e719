"""The database side of background work: the event outbox, consumer cursors, schedules and job runs.

The database says what must happen; the task queue only carries the work (DESIGN.md, "Jobs and
scale"). Every row here is keyed so that running the same thing twice finds the first row.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """One business event, written in the transaction of the state change it announces.

    Consumers read in ``(tx, position)`` order: ``position`` is taken at insert time, ``tx`` is the
    PostgreSQL transaction id (0 on SQLite, whose single writer commits in position order). Reading
    only transactions older than every running one means a late commit never lands behind a cursor.
    """

    position = models.BigAutoField(primary_key=True)
    tx = models.BigIntegerField(default=0)
    event_id = models.UUIDField(unique=True, editable=False)
    type = models.CharField(max_length=80)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_type = models.CharField(max_length=80)
    subject_id = models.CharField(max_length=64)
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tx", "position"], name="outbox_order"),
            models.Index(fields=["entity", "type"], name="outbox_entity_type"),
        ]

    def __str__(self) -> str:
        return f"#{self.position} {self.type} {self.subject_type}:{self.subject_id}"


class ConsumerCursor(models.Model):
    """How far one consumer (webhooks, the books, dunning...) has read the outbox."""

    name = models.CharField(max_length=100, primary_key=True)
    last_tx = models.BigIntegerField(default=0)
    last_position = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_tx}/{self.last_position}"


class Schedule(models.Model):
    """A periodic job: a task path run once per period (an RFC 5545 rule or a fixed interval)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    task = models.CharField(_("task"), max_length=200, help_text="dotted path of a task or function")
    args = models.JSONField(default=dict, blank=True)
    rrule = models.CharField(
        _("recurrence rule"), max_length=300, blank=True, help_text="e.g. FREQ=DAILY;BYHOUR=3;BYMINUTE=0"
    )
    interval_seconds = models.PositiveIntegerField(_("interval (seconds)"), null=True, blank=True)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    anchor = models.DateTimeField(default=timezone.now, help_text="periods are counted from this instant")
    enabled = models.BooleanField(_("enabled"), default=True)
    last_period = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(rrule="") | models.Q(interval_seconds__gt=0), name="schedule_has_cadence"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One execution of a job, known by its natural key (``schedule:<name>:<period>``, ``billing:<contract>:<period>``).

    The unique key is what makes a schedule fire once per period and a job idempotent; the chunks
    make it resumable; ``heartbeat_at`` tells the sweeper whether its worker is still alive.
    """

    key = models.CharField(max_length=255, unique=True)
    task = models.CharField(max_length=200)
    args = models.JSONField(default=dict, blank=True)
    schedule = models.ForeignKey(
        Schedule, on_delete=models.SET_NULL, null=True, blank=True, related_name="runs"
    )
    period = models.DateTimeField(null=True, blank=True)
    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    priority = models.SmallIntegerField(default=0)
    """The queue priority of its execution task (django-tasks: higher first; billing runs are below the rest)."""
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="jobrun_status_heartbeat"),
            models.Index(fields=["-created_at"], name="jobrun_recent"),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class JobChunk(models.Model):
    """One slice of a job run; done in the same transaction as its effects, so a resume skips it."""

    run = models.ForeignKey(JobRun, on_delete=models.CASCADE, related_name="chunks")
    key = models.CharField(max_length=200)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "key"], name="one_chunk_per_key")]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.key}"


class ConnectorCredential(models.Model):
    """A company's own account on a connector (Chorus Pro, a platform...), encrypted at rest.

    ``secret`` is a Fernet token of the JSON settings (``common.secrets``); the key is outside the
    database. Kept with the jobs because the jobs are what call the connectors on the company's behalf.
    """

    entity = models.ForeignKey("accounts.LegalEntity", on_delete=models.CASCADE, related_name="+")
    connector = models.CharField(max_length=40)
    secret = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "connector"], name="one_credential_per_entity_connector"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_id}:{self.connector}"

"""One row per (invoice, channel) sending, and the lifecycle statuses reported about each invoice."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel
from facturier.domain.lifecycle import STATUSES


class ChannelName(models.TextChoices):
    EMAIL = "email", _("Email")
    CHORUS_PRO = "chorus_pro", _("Chorus Pro")
    PDP = "pdp", _("Approved platform (PDP)")


class TransmissionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Transmission(TenantModel):
    """The sending of one document through one channel.

    Unique per (document, channel): sending twice is a no-op unless the previous attempt failed,
    so a re-run task or a double click never delivers the invoice twice.
    """

    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="transmissions")
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelName.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=TransmissionStatus.choices, default=TransmissionStatus.PENDING
    )
    recipient = models.CharField(_("recipient"), max_length=200, blank=True)
    external_id = models.CharField(_("identifier on the channel"), max_length=100, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_code = models.CharField(_("last error code"), max_length=40, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["document", "channel"], name="one_transmission_per_channel")
        ]
        indexes = [models.Index(fields=["channel", "status"])]

    def __str__(self) -> str:
        return f"{self.document} via {self.get_channel_display()}"


class LifecycleSource(models.TextChoices):
    CHANNEL = "channel", _("Channel status")
    CDAR = "cdar", _("CDAR message")
    MANUAL = "manual", _("Entered manually")


STATUS_CHOICES = [(code, f"{code} {info.label_fr}") for code, info in STATUSES.items()]


class LifecycleStatus(TenantModel):
    """A status of the reform (200 Déposée ... 213 Rejetée) reported about an invoice."""

    document = models.ForeignKey(
        "invoicing.Document", on_delete=models.PROTECT, related_name="lifecycle_statuses"
    )
    transmission = models.ForeignKey(
        Transmission, on_delete=models.SET_NULL, null=True, blank=True, related_name="statuses"
    )
    code = models.PositiveSmallIntegerField(_("status"), choices=STATUS_CHOICES)
    reason_code = models.CharField(_("reason code"), max_length=30, blank=True)
    reason_text = models.TextField(_("reason"), blank=True)
    occurred_at = models.DateTimeField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=LifecycleSource.choices)
    external_ref = models.CharField(_("reference"), max_length=200, blank=True)

    class Meta:
        ordering = ["occurred_at", "created_at"]
        verbose_name = _("lifecycle status")
        verbose_name_plural = _("lifecycle statuses")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "code", "reason_code", "occurred_at"], name="one_status_per_instant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        info = STATUSES.get(self.code)
        if info is None:
            return str(self.code)
        return info.label_en if (get_language() or "fr").startswith("en") else info.label_fr

"""Online payment: the provider checkouts opened for invoices and the provider events received.

A ``Checkout`` is one hosted payment page (a Stripe Checkout Session, a PayPal order) for an invoice's
open balance at the time; it records at most one ``Payment`` (``payment`` is one-to-one), which is
what makes a paid checkout count once however many times, and in whatever order, the provider tells.
A ``ProviderEvent`` is one verified webhook event, stored once per provider event id (a redelivery
is recognised and changes nothing), processed by a task and marked with its outcome.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class Provider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    PAYPAL = "paypal", "PayPal"


class CheckoutStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PENDING = "pending", _("Payment pending")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
    REFUSED = "refused", _("Refused (amount or currency differs)")


class Checkout(TenantModel):
    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="checkouts")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    provider_id = models.CharField(max_length=255)
    url = models.URLField(max_length=2000)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(max_length=20, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    expires_at = models.DateTimeField(null=True, blank=True)
    payment = models.OneToOneField(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="checkout"
    )
    fee = models.DecimalField(_("provider fee"), max_digits=20, decimal_places=2, null=True, blank=True)
    payment_reference = models.CharField(max_length=255, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="one_checkout_per_provider_id")
        ]
        indexes = [models.Index(fields=["document", "status"])]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_id}"


class ProviderEvent(TenantModel):
    provider = models.CharField(max_length=20, choices=Provider.choices)
    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    checkout_ref = models.CharField(max_length=255, blank=True)
    payload = models.JSONField()
    processed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="one_event_per_provider_id")
        ]
        indexes = [models.Index(fields=["provider", "checkout_ref"])]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_id}"

"""Money received from customers and what it settles.

A payment belongs to a legal entity and a customer; its allocations say which issued documents it
settles and for how much. Whether an invoice is paid is never stored on the invoice: it is derived
from these allocations and from the credit notes issued against it (`payments.selectors`).
The bank side (statements, reconciliation) and payment providers build on these two tables.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class Method(models.TextChoices):
    TRANSFER = "transfer", _("Bank transfer")
    SEPA_INSTANT = "sepa_instant", _("SEPA instant transfer")
    DIRECT_DEBIT = "direct_debit", _("Direct debit")
    CARD = "card", _("Card")
    PAYPAL = "paypal", _("PayPal")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    COMPENSATION = "compensation", _("Compensation")


class Payment(TenantModel):
    """Money received from (or, negative, refunded to) a customer. Never edited: reversed instead."""

    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="payments")
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=20, choices=Method.choices, default=Method.TRANSFER)
    reference = models.CharField(_("bank reference"), max_length=140, blank=True)
    payer = models.CharField(_("payer"), max_length=200, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "created_at"]
        indexes = [models.Index(fields=["entity", "customer", "received_on"])]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.received_on}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


class Allocation(TenantModel):
    """Part of a payment applied to one issued invoice. Removed (unallocated) only through a service."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="allocation_not_zero"),
            models.UniqueConstraint(
                fields=["payment", "document"], name="one_allocation_per_payment_document"
            ),
        ]
        indexes = [models.Index(fields=["document"])]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to {self.document_id}"


from facturier.payments.checkout_models import Checkout, CheckoutStatus, Provider, ProviderEvent  # noqa: E402

__all__ = ["Allocation", "Checkout", "CheckoutStatus", "Method", "Payment", "Provider", "ProviderEvent"]

"""Money received from customers and what it settles.

A payment belongs to a legal entity and a customer; its allocations say which issued documents it
settles and for how much. Whether an invoice is paid is never stored on the invoice: it is derived
from these allocations and from the credit notes issued against it (`payments.selectors`).
The bank side (statements, reconciliation) and payment providers build on these two tables.
"""

from typing import Any

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
    credit_note = models.ForeignKey(
        "invoicing.Document",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="offsets",
        help_text="set on the compensation that applies this credit note to other invoices",
    )

    class Meta:
        ordering = ["received_on", "created_at"]
        indexes = [
            models.Index(fields=["entity", "customer", "received_on"]),
            # the payment list's keyset order, newest first (read backwards): (received_on, created_at, id)
            models.Index(fields=["entity", "received_on", "created_at", "id"], name="payment_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.received_on}"

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class OpenItem(TenantModel):
    """An unpaid invoice brought from the company's previous tool (`facturier import-open-items`).

    Kept apart from the documents Facturier issues: never re-issued nor e-invoiced, but owed, so it
    counts in outstanding, overdue and the aged balance, and payments are allocated to it.
    """

    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="open_items")
    number = models.CharField(_("invoice number"), max_length=100)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    rf_reference = models.CharField(_("RF creditor reference"), max_length=35, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="the imported file's name and line")

    class Meta:
        ordering = ["due_date", "number"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "number"], name="one_open_item_per_number"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="open_item_positive"),
        ]
        indexes = [models.Index(fields=["entity", "due_date"])]

    def __str__(self) -> str:
        return self.number


class CustomerAccount(TenantModel):
    """A bank account (IBAN) a customer pays from: remembered so reconciliation recognises the payer."""

    customer = models.ForeignKey("parties.Customer", on_delete=models.CASCADE, related_name="bank_accounts")
    iban = models.CharField("IBAN", max_length=34)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity", "iban"], name="one_customer_per_iban")]

    def __str__(self) -> str:
        return self.iban


class Allocation(TenantModel):
    """Part of a payment applied to one issued invoice or one imported open item.

    Removed (unallocated) only through a service. A refund allocates a negative amount (money given
    back on an overpaid invoice). `difference` is a currency exchange difference written off with this
    allocation (docs/settlement.md): it settles the invoice like money but was never received.
    """

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="allocations")
    document = models.ForeignKey(
        "invoicing.Document", on_delete=models.PROTECT, related_name="allocations", null=True, blank=True
    )
    open_item = models.ForeignKey(
        OpenItem, on_delete=models.PROTECT, related_name="allocations", null=True, blank=True
    )
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    difference = models.DecimalField(_("exchange difference"), max_digits=20, decimal_places=2, default=0)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="allocation_not_zero"),
            models.UniqueConstraint(
                fields=["payment", "document"], name="one_allocation_per_payment_document"
            ),
            models.UniqueConstraint(
                fields=["payment", "open_item"], name="one_allocation_per_payment_open_item"
            ),
            models.CheckConstraint(
                condition=models.Q(document__isnull=False, open_item__isnull=True)
                | models.Q(document__isnull=True, open_item__isnull=False),
                name="allocation_one_target",
            ),
        ]
        indexes = [models.Index(fields=["document"]), models.Index(fields=["open_item"])]

    def __str__(self) -> str:
        return f"{self.amount} of {self.payment_id} to {self.document_id or self.open_item_id}"

    @property
    def target(self) -> Any:
        return self.document if self.document_id else self.open_item


# SEPA direct debit, credit transfer and online-checkout models, kept in their own modules.
from facturier.payments.checkout_models import Checkout, CheckoutStatus, Provider, ProviderEvent  # noqa: E402
from facturier.payments.mandates import (  # noqa: E402
    CollectionStatus,
    CreditTransferOrder,
    DirectDebitCollection,
    Mandate,
    MandateStatus,
    Pain008Version,
    Scheme,
    SepaCreditor,
    SepaFile,
    SepaFileKind,
    TransferKind,
)

__all__ = [
    "Allocation",
    "Checkout",
    "CheckoutStatus",
    "CollectionStatus",
    "CreditTransferOrder",
    "CustomerAccount",
    "DirectDebitCollection",
    "Mandate",
    "MandateStatus",
    "Method",
    "OpenItem",
    "Pain008Version",
    "Payment",
    "Provider",
    "ProviderEvent",
    "Scheme",
    "SepaCreditor",
    "SepaFile",
    "SepaFileKind",
    "TransferKind",
]

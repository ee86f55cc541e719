"""SEPA direct debit and credit transfer rows: the company's creditor identifier, mandates, collections, files.

A mandate authorises collecting a customer's invoices from their account; each invoice collected is
a `DirectDebitCollection` (scheduled, pre-notified, put in a file, booked as a payment, or returned
by the bank). Every generated pain file is stored as issued bytes (`SepaFile`) and never rebuilt.
Imported by `payments.models` so Django sees them as models of the payments app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class Pain008Version(models.TextChoices):
    V08 = "pain.008.001.08", "pain.008.001.08"
    V02 = "pain.008.001.02", _("pain.008.001.02 (older banks)")


class SepaCreditor(TenantModel):
    """The entity's SEPA creditor identifier (ICS) and how its collection files are made."""

    creditor_id = models.CharField(_("SEPA creditor identifier (ICS)"), max_length=35)
    pain008_version = models.CharField(
        _("direct debit file format"),
        max_length=20,
        choices=Pain008Version.choices,
        default=Pain008Version.V08,
    )
    prenotification_days = models.PositiveSmallIntegerField(_("pre-notification (days before)"), default=14)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity"], name="one_sepa_creditor_per_entity")]

    def __str__(self) -> str:
        return self.creditor_id


class Scheme(models.TextChoices):
    CORE = "CORE", _("CORE (consumers and businesses)")
    B2B = "B2B", _("B2B (businesses only)")


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired (36 months without collection)")


class Mandate(TenantModel):
    """A customer's SEPA direct debit mandate, identified by its unique mandate reference (UMR)."""

    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="mandates")
    reference = models.CharField(_("mandate reference (UMR)"), max_length=35)
    signed_on = models.DateField(_("signature date"))
    scheme = models.CharField(_("scheme"), max_length=4, choices=Scheme.choices, default=Scheme.CORE)
    one_off = models.BooleanField(_("one-off mandate"), default=False)
    ends_on = models.DateField(
        _("last collection from"), null=True, blank=True,
        help_text=_("The first collection on or after this date is the final one (FNAL)."),
    )  # fmt: skip
    debtor_name = models.CharField(_("account holder"), max_length=140)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=200, blank=True)
    last_collected_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-signed_on", "reference"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "reference"], name="one_mandate_reference_per_creditor")
        ]

    def __str__(self) -> str:
        return self.reference


class SepaFileKind(models.TextChoices):
    DIRECT_DEBIT = "direct_debit", _("Direct debit collection (pain.008)")
    CREDIT_TRANSFER = "credit_transfer", _("Credit transfer (pain.001)")


class SepaFile(TenantModel):
    """A generated pain file, kept as the bytes handed to the bank."""

    kind = models.CharField(max_length=20, choices=SepaFileKind.choices)
    message_id = models.CharField(max_length=35)
    version = models.CharField(max_length=20)
    execution_date = models.DateField(_("collection or execution date"))
    transactions = models.PositiveIntegerField(default=0)
    control_sum = models.DecimalField(max_digits=20, decimal_places=2)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    booked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-execution_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "message_id"], name="unique_sepa_message_id")
        ]

    def __str__(self) -> str:
        return self.message_id

    @property
    def filename(self) -> str:
        return f"{self.message_id}.xml"


class CollectionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    SUBMITTED = "submitted", _("In a collection file")
    BOOKED = "booked", _("Collected")
    RETURNED = "returned", _("Returned by the bank")


class DirectDebitCollection(TenantModel):
    """One invoice to collect through one mandate at one date."""

    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="collections")
    document = models.ForeignKey("invoicing.Document", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    collection_date = models.DateField()
    end_to_end_id = models.CharField(max_length=35)
    status = models.CharField(
        max_length=10, choices=CollectionStatus.choices, default=CollectionStatus.SCHEDULED
    )
    sequence = models.CharField(max_length=4, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    file = models.ForeignKey(
        SepaFile, on_delete=models.PROTECT, null=True, blank=True, related_name="collections"
    )
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reason = models.CharField(max_length=4, blank=True)

    class Meta:
        ordering = ["collection_date", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "end_to_end_id"], name="unique_direct_debit_end_to_end"
            ),
            models.UniqueConstraint(
                fields=["document"],
                condition=~models.Q(status="returned"),
                name="one_live_collection_per_invoice",
            ),
        ]
        indexes = [models.Index(fields=["entity", "collection_date", "status"])]

    def __str__(self) -> str:
        return self.end_to_end_id


class TransferKind(models.TextChoices):
    REFUND = "refund", _("Refund to a customer")
    SUPPLIER = "supplier", _("Supplier invoice")


class CreditTransferOrder(TenantModel):
    """Money to send: a refund to a customer or the payment of a received supplier invoice."""

    kind = models.CharField(max_length=10, choices=TransferKind.choices)
    customer = models.ForeignKey(
        "parties.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_invoice = models.ForeignKey(
        "inbox.ReceivedInvoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creditor_name = models.CharField(max_length=140)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    remittance = models.CharField(max_length=140, blank=True)
    end_to_end_id = models.CharField(max_length=35)
    execution_date = models.DateField()
    file = models.ForeignKey(
        SepaFile, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )

    class Meta:
        ordering = ["execution_date", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "end_to_end_id"], name="unique_transfer_end_to_end"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="transfer_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.end_to_end_id

"""Supplier invoices received as e-invoices: the original bytes, what was read from them, and the
validation report. A row exists only for a file that parsed as an invoice; refused files leave none."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel
from facturier.inbox.storage import inbox_storage


class ReceivedStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


class ReceivedFormat(models.TextChoices):
    FACTURX_PDF = "facturx_pdf", _("Factur-X / ZUGFeRD PDF")
    CII = "cii", _("UN/CEFACT CII XML")
    UBL_INVOICE = "ubl_invoice", _("UBL Invoice XML")
    UBL_CREDIT_NOTE = "ubl_credit_note", _("UBL CreditNote XML")


class ValidationOutcome(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALID = "invalid", _("Errors found")
    NOT_RUN = "not_run", _("Validation could not run")


class Channel(models.TextChoices):
    UPLOAD = "upload", _("Web upload")
    API = "api", _("API")
    CLI = "cli", _("Command line")


def original_path(instance: "ReceivedInvoice", filename: str) -> str:
    """One folder per file hash: names never come from the sender, so no traversal is possible."""
    return f"{instance.entity_id}/{instance.sha256[:2]}/{instance.sha256}/original"


def xml_path(instance: "ReceivedInvoice", filename: str) -> str:
    return f"{instance.entity_id}/{instance.sha256[:2]}/{instance.sha256}/invoice.xml"


class ReceivedInvoice(TenantModel):
    status = models.CharField(
        _("status"), max_length=20, choices=ReceivedStatus.choices, default=ReceivedStatus.RECEIVED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.UPLOAD)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The file as received, byte for byte.
    original = models.FileField(
        _("original file"), storage=inbox_storage, upload_to=original_path, max_length=200
    )
    original_filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField("SHA-256", max_length=64)
    archive_filename = models.CharField(_("received inside archive"), max_length=255, blank=True)
    archive_sha256 = models.CharField(_("archive SHA-256"), max_length=64, blank=True)
    # What it is.
    format = models.CharField(_("format"), max_length=20, choices=ReceivedFormat.choices)
    syntax = models.CharField(_("syntax"), max_length=10)
    profile = models.CharField(_("profile"), max_length=40, blank=True)
    specification_identifier = models.CharField(_("specification (BT-24)"), max_length=200, blank=True)
    xml = models.FileField(
        _("invoice XML"), storage=inbox_storage, upload_to=xml_path, blank=True, max_length=200
    )
    # Header read from it.
    supplier = models.ForeignKey(
        "parties.Supplier", on_delete=models.PROTECT, related_name="received_invoices"
    )
    number = models.CharField(_("invoice number"), max_length=200)
    type_code = models.CharField(_("type code (BT-3)"), max_length=3)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    tax_exclusive = models.DecimalField(_("total excl. VAT"), max_digits=20, decimal_places=2)
    tax_total = models.DecimalField(_("VAT"), max_digits=20, decimal_places=2, null=True, blank=True)
    tax_inclusive = models.DecimalField(_("total incl. VAT"), max_digits=20, decimal_places=2)
    amount_due = models.DecimalField(_("amount due"), max_digits=20, decimal_places=2)
    seller_name = models.CharField(_("seller"), max_length=200)
    buyer_name = models.CharField(_("buyer"), max_length=200)
    buyer_reference = models.CharField(_("buyer reference (BT-10)"), max_length=200, blank=True)
    purchase_order_reference = models.CharField(_("purchase order (BT-13)"), max_length=200, blank=True)
    # the account to pay (BT-84): the approval pre-checks compare it with the supplier's last invoice
    payee_account = models.CharField(_("account to pay (BT-84)"), max_length=64, blank=True)
    cost_centre = models.CharField(_("cost centre"), max_length=50, blank=True)
    # Validation.
    validation = models.CharField(_("validation"), max_length=10, choices=ValidationOutcome.choices)
    validation_report = models.JSONField(_("validation report"), default=dict)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="duplicates"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same bytes are received once per entity: re-imports return the existing row.
            models.UniqueConstraint(fields=["entity", "sha256"], name="inbox_unique_file_per_entity"),
            # One original per (supplier, number); later copies are kept, pointing at it.
            models.UniqueConstraint(
                fields=["entity", "supplier", "number"],
                condition=models.Q(duplicate_of__isnull=True),
                name="inbox_unique_supplier_number",
            ),
        ]
        indexes = [models.Index(fields=["entity", "status"], name="inbox_entity_status")]
        verbose_name = _("received invoice")
        verbose_name_plural = _("received invoices")

    def __str__(self) -> str:
        return f"{self.seller_name} {self.number}"

    @property
    def findings(self) -> list[dict[str, object]]:
        return list(self.validation_report.get("findings", []))

"""Quotes, orders, invoices and credit notes: one document table, lines, allowances/charges, numbering."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.catalog.units import UNIT_CHOICES
from facturier.common.models import BaseModel, TenantModel


class Kind(models.TextChoices):
    QUOTE = "quote", _("Quote")
    ORDER = "order", _("Order")
    INVOICE = "invoice", _("Invoice")


class TypeCode(models.TextChoices):
    """UNTDID 1001 document type codes (EN 16931 BT-3)."""

    COMMERCIAL = "380", _("Invoice")
    CREDIT_NOTE = "381", _("Credit note")
    CORRECTIVE = "384", _("Corrective invoice")
    DEPOSIT = "386", _("Deposit invoice")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING_APPROVAL = "pending_approval", _("Pending approval")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")
    SENT = "sent", _("Sent")
    DISPUTED = "disputed", _("Disputed")
    CANCELLED = "cancelled", _("Cancelled by credit note")
    REFUSED = "refused", _("Refused or rejected: action needed")
    # quotes and orders
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CONFIRMED = "confirmed", _("Confirmed")
    CONVERTED = "converted", _("Converted")


class OperationCategory(models.TextChoices):
    """French mandatory mention since the 2026 reform: supply of goods, of services, or both."""

    GOODS = "goods", _("Supply of goods")
    SERVICES = "services", _("Provision of services")
    MIXED = "mixed", _("Mixed")


class NumberingSeries(BaseModel):
    """A legal numbering series of one entity, e.g. invoices `FAC-{YYYY}-{seq:05}` reset yearly.

    The row is locked while a number is taken, which also serializes the seal chain of the series.
    """

    entity = models.ForeignKey(
        "accounts.LegalEntity", on_delete=models.CASCADE, related_name="numbering_series"
    )
    code = models.CharField(max_length=20, help_text="invoice, credit_note, quote, order")
    pattern = models.CharField(max_length=60)
    reset = models.CharField(max_length=10, default="yearly")
    last_issue_date = models.DateField(null=True, blank=True)
    chain_hash = models.CharField(max_length=64, blank=True)
    chain_length = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="one_series_per_code_and_entity")
        ]
        verbose_name_plural = _("numbering series")

    def __str__(self) -> str:
        return f"{self.code}: {self.pattern}"


class SequenceCounter(models.Model):
    """The last number taken in one period (year, month or ever) of a series."""

    series = models.ForeignKey(NumberingSeries, on_delete=models.CASCADE, related_name="counters")
    period = models.CharField(max_length=10)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["series", "period"], name="one_counter_per_period")]

    def __str__(self) -> str:
        return f"{self.series.code} {self.period}: {self.last_value}"


class Document(TenantModel):
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    type_code = models.CharField(_("type"), max_length=3, choices=TypeCode.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    number = models.CharField(_("number"), max_length=35, blank=True)
    series = models.ForeignKey(
        NumberingSeries, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="documents")
    issue_date = models.DateField(_("date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    exchange_rate = models.DecimalField(
        _("exchange rate to the company currency"), max_digits=20, decimal_places=6, null=True, blank=True
    )
    language = models.CharField(_("language"), max_length=2, default="fr")
    payment_terms = models.CharField(_("payment terms"), max_length=20, default="net30")
    operation_category = models.CharField(
        _("operation category"),
        max_length=10,
        choices=OperationCategory.choices,
        default=OperationCategory.SERVICES,
    )
    vat_on_debits = models.BooleanField(_("VAT on debits"), default=False)
    buyer_reference = models.CharField(_("buyer reference"), max_length=100, blank=True)
    purchase_order_reference = models.CharField(_("purchase order reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    promotion_code = models.CharField(_("promotion code"), max_length=40, blank=True)
    # For the approval rules (approvals: rules by cost centre) and the accountants' analytic split;
    # not part of the e-invoice. Frozen once issued (immutability.FROZEN_COLUMNS), outside the seal.
    cost_centre = models.CharField(_("cost centre"), max_length=40, blank=True)
    source = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived",
        verbose_name=_("created from"),
    )
    preceding_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("invoice corrected or credited"),
    )
    deposits = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="deducted_by")
    seller_snapshot = models.JSONField(default=dict, blank=True)
    customer_snapshot = models.JSONField(default=dict, blank=True)
    line_total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    allowance_total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    charge_total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    tax_exclusive = models.DecimalField(
        _("total excl. VAT"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    tax_total = models.DecimalField(_("VAT"), max_digits=20, decimal_places=2, default=Decimal("0"))
    tax_total_accounting = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    tax_inclusive = models.DecimalField(
        _("total incl. VAT"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    prepaid = models.DecimalField(
        _("deposits deducted"), max_digits=20, decimal_places=2, default=Decimal("0")
    )
    payable = models.DecimalField(_("amount due"), max_digits=20, decimal_places=2, default=Decimal("0"))
    vat_breakdown = models.JSONField(default=list, blank=True)
    # Who created, submitted and approved it: a user or an API key (both empty: the system). Approval
    # is refused to whoever created or submitted it (accounts.authorization).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_by_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    seal_position = models.PositiveBigIntegerField(null=True, blank=True)
    seal_previous_hash = models.CharField(max_length=64, blank=True)
    seal_hash = models.CharField(max_length=64, blank=True)
    seal_key_id = models.CharField(max_length=40, blank=True, default="")

    class Meta:
        ordering = ["-issue_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "series", "number"],
                condition=~models.Q(number=""),
                name="unique_number_per_series",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "kind", "status"]),
            models.Index(fields=["entity", "issue_date"]),
            # the API lists (cursor on created_at, id) and the dashboard's latest documents
            models.Index(fields=["entity", "kind", "-created_at", "-id"], name="document_newest_created"),
            # the web lists: issue date newest first, drafts on top (read backwards on PostgreSQL)
            models.Index(
                fields=["entity", "kind", "issue_date", "created_at"], name="document_by_issue_date"
            ),
            # the credit-note list and the editor's deposit invoices (a few % of the rows, by type)
            models.Index(fields=["entity", "kind", "type_code", "issue_date"], name="document_by_type"),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.noun} ({_('draft')})"

    @property
    def noun(self) -> str:
        """What this document is called: a draft credit note is an "Avoir", not a "Facture"."""
        if self.kind == Kind.INVOICE and self.type_code in TypeCode.values:
            return str(TypeCode(self.type_code).label)
        return str(self.get_kind_display())

    @property
    def is_sealed(self) -> bool:
        return bool(self.seal_hash)

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == TypeCode.CREDIT_NOTE

    def scope_resource(self) -> str:
        """The API resource this document is served under, whose scopes an API key needs to act on it."""
        if self.kind == Kind.INVOICE:
            return "credit_notes" if self.is_credit_note else "invoices"
        return f"{self.kind}s"

    def authors(self) -> frozenset[str]:
        """Who created or submitted it, as `accounts.authorization.actor_ref` names them."""
        refs = {f"user:{self.created_by_id}", f"user:{self.submitted_by_id}",
                f"apikey:{self.created_by_key_id}", f"apikey:{self.submitted_by_key_id}"}  # fmt: skip
        return frozenset(ref for ref in refs if not ref.endswith(":None"))


class Line(BaseModel):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=20, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=3, choices=UNIT_CHOICES, default="C62")
    unit_price = models.DecimalField(_("unit price"), max_digits=20, decimal_places=6)
    discount_percent = models.DecimalField(
        _("discount %"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    vat_category = models.CharField(_("VAT category"), max_length=2, default="S")
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    accounting_category = models.CharField(max_length=10, default="services")
    net_amount = models.DecimalField(_("net amount"), max_digits=20, decimal_places=2, default=Decimal("0"))
    # Where the price and the discount came from (pricing.resolution): "manual" (typed), "product" or
    # "price_list", and the rules by name as they were when the line was written. Empty on older lines.
    price_source = models.CharField(_("price from"), max_length=20, blank=True)
    price_rule = models.CharField(_("price rule"), max_length=200, blank=True)
    discount_rule = models.CharField(_("discount rule"), max_length=200, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["document", "position"], name="one_line_per_position")]

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class AllowanceCharge(BaseModel):
    """A document-level allowance (discount) or charge (e.g. shipping), EN 16931 BG-20 / BG-21."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="allowances_charges")
    is_charge = models.BooleanField(default=False)
    reason = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=20, decimal_places=2)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    base_amount = models.DecimalField(max_digits=20, decimal_places=2, null=True, blank=True)
    vat_category = models.CharField(max_length=2, default="S")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("20.00"))

    def __str__(self) -> str:
        return f"{'+' if self.is_charge else '-'}{self.amount} {self.reason}"


class EinvoiceValidation(TenantModel):
    """The validation report of an issued document's e-invoice (kept for its warnings and for audits).

    A separate table: the issued document itself is immutable (database triggers), its report is not
    part of what was sealed.
    """

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="einvoice_validations")
    syntax = models.CharField(max_length=3)
    profile = models.CharField(max_length=20, blank=True)
    is_valid = models.BooleanField()
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    artefacts = models.JSONField(default=list)
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.document} {self.syntax}: {self.error_count} errors, {self.warning_count} warnings"


from facturier.invoicing.read_aggregates import (  # noqa: E402, F401
    DocumentSale,
    ReceivableByDue,
    ReceivableOpen,
    SalesByMonth,
    StatusCount,
)

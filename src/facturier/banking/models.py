"""Bank accounts, the statements imported into them and their lines, and what reconciliation learns.

A bank line is stored once per account: its `natural_key` (the bank's reference, or a hash of what the
bank says about the movement, `domain.banking.statement.StatementLine.natural_key`) is unique per
account, so re-importing a file or an overlapping statement adds only the lines not seen yet.
The reconciliation fields of a line (status, score, reasons, proposed allocations) are written by the
reconciliation step that follows an import; the import leaves them `unreconciled`.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel
from facturier.domain.reconciliation.types import Rules

NATURAL_KEY_LENGTH = 300


class BankAccount(TenantModel):
    """An account of the company at a bank: where customers' transfers arrive."""

    name = models.CharField(_("name"), max_length=100)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    account_number = models.CharField(
        _("account number"), max_length=50, blank=True, help_text=_("For banks that give no IBAN.")
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    csv_mapping = models.JSONField(
        _("CSV column mapping"), null=True, blank=True, help_text=_("How to read this bank's CSV exports.")
    )

    class Meta:
        ordering = ["name", "iban"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "iban"], condition=~models.Q(iban=""), name="bank_account_unique_iban"
            ),
            models.UniqueConstraint(
                fields=["entity", "account_number"],
                condition=~models.Q(account_number=""),
                name="bank_account_unique_number",
            ),
            models.CheckConstraint(
                condition=~models.Q(iban="", account_number=""), name="bank_account_identified"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.identifier})"

    @property
    def identifier(self) -> str:
        """What the natural keys of its lines are computed from: the IBAN, else the bank's number."""
        return self.iban or self.account_number


class Channel(models.TextChoices):
    CLI = "cli", _("Command line")
    UPLOAD = "upload", _("Upload")
    API = "api", _("API")
    FOLDER = "folder", _("Watched folder")


class StatementImport(TenantModel):
    """One statement file imported into one account (a file holding several accounts makes several)."""

    account = models.ForeignKey(
        BankAccount, on_delete=models.PROTECT, related_name="imports", null=True, blank=True
    )
    filename = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    format = models.CharField(_("format"), max_length=30, blank=True)
    statement_id = models.CharField(_("statement"), max_length=140, blank=True)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.CLI)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_by_label = models.CharField(max_length=200, blank=True)
    new_lines = models.PositiveIntegerField(_("new lines"), default=0)
    duplicate_lines = models.PositiveIntegerField(_("lines already imported"), default=0)
    error = models.TextField(_("error"), blank=True)  # a failed import (watched folder): nothing else stored

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.new_lines} new, {self.duplicate_lines} already imported)"

    @property
    def failed(self) -> bool:
        return bool(self.error)


class LineStatus(models.TextChoices):
    UNRECONCILED = "unreconciled", _("Unreconciled")
    AUTO = "auto", _("Reconciled automatically")
    PROPOSED = "proposed", _("Proposed")
    MANUAL = "manual", _("Reconciled by hand")
    UNRELATED = "unrelated", _("Unrelated")


class BankLine(TenantModel):
    """One booked movement of an account (> 0 money in, < 0 money out), stored once."""

    account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="lines")
    statement_import = models.ForeignKey(
        StatementImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="lines"
    )
    booking_date = models.DateField(_("booking date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    bank_reference = models.CharField(_("bank reference"), max_length=255, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=140, blank=True)
    structured_reference = models.CharField(_("structured reference"), max_length=140, blank=True)
    remittance = models.TextField(_("remittance information"), blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=200, blank=True)
    counterparty_iban = models.CharField(_("counterparty IBAN"), max_length=34, blank=True)
    counterparty_bic = models.CharField(_("counterparty BIC"), max_length=11, blank=True)
    transaction_code = models.CharField(_("transaction code"), max_length=50, blank=True)
    return_reason = models.CharField(_("return reason"), max_length=10, blank=True)
    charges = models.DecimalField(_("charges"), max_digits=20, decimal_places=2, null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    natural_key = models.CharField(max_length=NATURAL_KEY_LENGTH)
    # reconciliation (written by the reconciliation step)
    status = models.CharField(
        _("status"), max_length=15, choices=LineStatus.choices, default=LineStatus.UNRECONCILED
    )
    score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)  # 0..1
    reasons = models.JSONField(default=list, blank=True)  # [{"code": ..., "params": {...}}]
    proposed_allocations = models.JSONField(default=list, blank=True)  # [{"item_key": ..., "amount": "..."}]
    # the proposals a clerk rejected (or undid), never proposed again: [[item_key, ...], ...]
    rejected = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-booking_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["account", "natural_key"], name="bank_line_unique_natural_key"),
            models.CheckConstraint(condition=~models.Q(amount=0), name="bank_line_not_zero"),
        ]
        indexes = [
            models.Index(fields=["entity", "status", "booking_date"]),
            models.Index(fields=["entity", "-booking_date"]),
        ]

    def __str__(self) -> str:
        return f"{self.booking_date} {self.amount} {self.currency} {self.remittance[:40]}"


class ReconciliationModel(TenantModel):
    """A company's reconciliation rules (one per entity): tolerances, accounts, thresholds."""

    fee_tolerance = models.DecimalField(
        _("bank fees tolerance"), max_digits=20, decimal_places=2, default=Rules.fee_tolerance
    )
    fee_account = models.CharField(_("bank fees account"), max_length=20, default=Rules.fee_account)
    writeoff_tolerance = models.DecimalField(
        _("write-off tolerance"), max_digits=20, decimal_places=2, default=Rules.writeoff_tolerance
    )
    writeoff_account = models.CharField(_("write-off account"), max_length=20, default=Rules.writeoff_account)
    max_items_in_sum = models.PositiveSmallIntegerField(
        _("invoices paid by one transfer, at most"), default=Rules.max_items_in_sum
    )
    auto_threshold = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.95"))
    propose_threshold = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.5"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entity"], name="one_reconciliation_model_per_entity")]

    def __str__(self) -> str:
        return f"reconciliation rules of {self.entity_id}"

    def rules(self) -> Rules:
        return Rules(
            fee_tolerance=self.fee_tolerance, fee_account=self.fee_account,
            writeoff_tolerance=self.writeoff_tolerance, writeoff_account=self.writeoff_account,
            max_items_in_sum=self.max_items_in_sum, auto_threshold=float(self.auto_threshold),
            propose_threshold=float(self.propose_threshold),
        )  # fmt: skip


class AliasKind(models.TextChoices):
    IBAN = "iban", "IBAN"
    NAME = "name", _("Payer name")


class AliasSource(models.TextChoices):
    MANUAL = "manual", _("Manual match")
    AUTO = "auto", _("Automatic match")


class PayerAlias(TenantModel):
    """An IBAN or a payer name seen paying a customer: the next payment from it points to them."""

    customer = models.ForeignKey("parties.Customer", on_delete=models.CASCADE, related_name="payer_aliases")
    kind = models.CharField(max_length=4, choices=AliasKind.choices)
    value = models.CharField(max_length=200)
    source = models.CharField(max_length=6, choices=AliasSource.choices, default=AliasSource.MANUAL)
    count = models.PositiveIntegerField(default=1)
    last_seen = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "kind", "value"], name="payer_alias_unique"),
        ]
        indexes = [models.Index(fields=["entity", "kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.value} -> {self.customer_id}"


class Decision(models.TextChoices):
    AUTO = "auto", _("Reconciled automatically")
    MANUAL = "manual", _("Reconciled by hand")
    UNRELATED = "unrelated", _("Unrelated")


class Reconciliation(TenantModel):
    """One decision on a bank line: the payment it recorded, and the differences booked with it.

    Never deleted: undoing it reverses its payments and sets `undone_at`, so the history of a line
    (automatic match, undone, matched by hand...) stays readable. The fee and write-off amounts are
    recorded with their accounts so the books can journal them.
    """

    line = models.ForeignKey(BankLine, on_delete=models.PROTECT, related_name="reconciliations")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    payment = models.ForeignKey(
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adjustment = models.ForeignKey(  # the compensation that settles a fee or write-off difference
        "payments.Payment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    fee_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    fee_account = models.CharField(max_length=20, blank=True)
    writeoff_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    writeoff_account = models.CharField(max_length=20, blank=True)
    credit_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal(0))
    score = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=200, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"],
                condition=models.Q(undone_at__isnull=True),
                name="one_live_reconciliation_per_line",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision} {self.line_id}"

"""Time entries and expenses recorded against a project, the rate card that prices them, and settings.

An entry goes draft -> submitted -> approved (or rejected, back to be corrected and submitted again).
Only approved, billable entries are work in progress; ``invoice`` is the claim "this entry is on that
invoice": set once, in the transaction that creates the draft (services.wip_invoice), so an entry is
invoiced exactly once. Deleting that draft invoice releases its entries back to work in progress.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel
from facturier.timesheets.storage import receipt_storage


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", _("travel")
    ACCOMMODATION = "accommodation", _("accommodation")
    MEALS = "meals", _("meals")
    SUPPLIES = "supplies", _("supplies")
    OTHER = "other", _("other")


class TimesheetSettings(TenantModel):
    """One row per company: how time is rounded and expenses marked up unless an expense says otherwise."""

    rounding_minutes = models.PositiveIntegerField(
        _("rounding increment (minutes)"), default=15,
        help_text=_("Each entry is billed rounded up to this increment; 1 bills time as worked."),
    )  # fmt: skip
    expense_markup_percent = models.DecimalField(
        _("expense markup (%)"), max_digits=7, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity"], name="timesheets_one_settings_per_entity"),
            models.CheckConstraint(
                condition=models.Q(rounding_minutes__gte=1), name="timesheets_rounding_positive"
            ),
        ]


class RateRule(TenantModel):
    """One line of the rate card (domain.timesheets.rates says which wins)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "parties.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    task = models.CharField(_("task"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    hourly_rate = models.DecimalField(_("hourly rate"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hourly_rate__gte=0), name="timesheets_rate_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hourly_rate}/h"


class TimeEntry(TenantModel):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("task"), max_length=100, blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    date = models.DateField(_("date"))
    minutes = models.PositiveIntegerField(_("minutes"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    billable = models.BooleanField(_("billable"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    created_by_ref = models.CharField(max_length=80, blank=True)
    submitted_by_ref = models.CharField(max_length=80, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    invoice = models.ForeignKey(
        "invoicing.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    import_key = models.CharField(max_length=80, null=True, blank=True)

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "import_key"], name="timesheets_time_import_once"),
            models.CheckConstraint(condition=models.Q(minutes__gt=0), name="timesheets_time_positive"),
        ]
        indexes = [models.Index(fields=["entity", "status", "invoice"], name="timesheets_time_wip")]

    def scope_resource(self) -> str:
        return "time_entries"

    def authors(self) -> frozenset[str]:
        """Whoever created, submitted or worked the time: none of them approves it."""
        refs = {self.created_by_ref, self.submitted_by_ref, f"user:{self.person_id}"}
        return frozenset(ref for ref in refs if ref)

    @property
    def duration(self) -> str:
        return duration_label(self.minutes)

    def __str__(self) -> str:
        return f"{self.date} {self.duration}"


def duration_label(minutes: int) -> str:
    """75 -> "1 h 15", the way a timesheet shows it in French and English alike."""
    return f"{minutes // 60} h {minutes % 60:02d}"


def receipt_path(instance: Expense, filename: str) -> str:
    return f"{instance.entity_id}/{instance.receipt_sha256[:2]}/{instance.receipt_sha256}"


class Expense(TenantModel):
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    description = models.CharField(_("description"), max_length=500, blank=True)
    amount = models.DecimalField(_("amount excl. VAT"), max_digits=14, decimal_places=2)
    vat_amount = models.DecimalField(_("VAT"), max_digits=14, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    markup_percent = models.DecimalField(
        _("markup (%)"), max_digits=7, decimal_places=2, null=True, blank=True,
        help_text=_("Empty: the company's default markup; 0: re-invoiced at cost."),
    )  # fmt: skip
    billable = models.BooleanField(_("re-invoiced"), default=True)
    receipt = models.FileField(
        _("receipt"), storage=receipt_storage, upload_to=receipt_path, blank=True, max_length=200
    )
    receipt_sha256 = models.CharField(max_length=64, blank=True)
    receipt_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.DRAFT
    )
    created_by_ref = models.CharField(max_length=80, blank=True)
    submitted_by_ref = models.CharField(max_length=80, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(_("reason"), max_length=300, blank=True)
    invoice = models.ForeignKey(
        "invoicing.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="timesheets_expense_not_negative"),
            models.CheckConstraint(
                condition=models.Q(vat_amount__gte=0), name="timesheets_expense_vat_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["entity", "status", "invoice"], name="timesheets_expense_wip")]

    def scope_resource(self) -> str:
        return "expenses"

    def authors(self) -> frozenset[str]:
        refs = {self.created_by_ref, self.submitted_by_ref, f"user:{self.person_id}"}
        return frozenset(ref for ref in refs if ref)

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.currency}"

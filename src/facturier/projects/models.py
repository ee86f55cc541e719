"""Customer projects: what milestones, deposits and time entries are billed against.

A project belongs to one customer and one entity and is billed in one currency. Its fixed price (when
it has one) is what its milestones and deposits divide; time and expenses (`timesheets`) are billed on
top of it or instead of it (a time-and-materials project has no fixed price).

A fixed-price project is billed by its milestones (`domain.projects.shares` says how the price divides):
deposits (386 invoices, e.g. 30 % at signing), instalments (380) and one balance (380 at delivery, which
deducts the deposits through `Document.deposits`/`prepaid`, BT-113). A milestone is triggered by a date,
by a progress percentage reached (on the project or on its phase) or by a deliverable accepted (an
`Acceptance`, the PV de réception). `Milestone.invoice` is the claim that bills it exactly once.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import BaseModel, TenantModel
from facturier.domain.projects.shares import ShareKind


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DELIVERED = "delivered", _("delivered")
    CLOSED = "closed", _("closed")


def percent_field(label: Any, **options: Any) -> models.DecimalField:  # type: ignore[type-arg]
    return models.DecimalField(label, max_digits=5, decimal_places=2, **options)


class Project(TenantModel):
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, related_name="projects")
    reference = models.CharField(_("reference"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    fixed_price = models.DecimalField(
        _("fixed price"), max_digits=14, decimal_places=2, null=True, blank=True,
        help_text=_("Excluding VAT. Empty for a time-and-materials project."),
    )  # fmt: skip
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE
    )
    progress = percent_field(_("progress (%)"), default=Decimal(0))
    vat_category = models.CharField(_("VAT category"), max_length=2, default="S")
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2, default=Decimal("20.00"))

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "reference"], name="projects_project_unique_reference"),
            models.CheckConstraint(
                condition=models.Q(fixed_price__isnull=True) | models.Q(fixed_price__gte=0),
                name="projects_project_fixed_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.name}"


class Phase(BaseModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveIntegerField(default=0)
    progress = percent_field(_("progress (%)"), default=Decimal(0))

    class Meta:
        ordering = ["project", "position", "created_at"]

    def __str__(self) -> str:
        return self.name


class MilestoneKind(models.TextChoices):
    DEPOSIT = ShareKind.DEPOSIT.value, _("deposit (386)")
    INSTALMENT = ShareKind.INSTALMENT.value, _("milestone")
    BALANCE = ShareKind.BALANCE.value, _("balance at delivery")


class Trigger(models.TextChoices):
    DATE = "date", _("a date")
    PROGRESS = "progress", _("a progress percentage reached")
    ACCEPTANCE = "acceptance", _("a deliverable accepted")


class Milestone(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="milestones")
    phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, null=True, blank=True, related_name="milestones"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=MilestoneKind.choices)
    label = models.CharField(_("label"), max_length=200)
    percent = percent_field(_("share (%)"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True,
        help_text=_("Excluding VAT. The balance's amount is what the other milestones leave."),
    )  # fmt: skip
    trigger = models.CharField(_("trigger"), max_length=12, choices=Trigger.choices)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    progress_threshold = percent_field(_("progress threshold (%)"), null=True, blank=True)
    deliverable = models.CharField(_("deliverable"), max_length=200, blank=True)
    reached_on = models.DateField(_("reached on"), null=True, blank=True)
    # The claim: set in the transaction that creates the invoice, under the milestone's row lock.
    invoice = models.OneToOneField(
        "invoicing.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(kind="balance"),
                name="projects_one_balance_per_project",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class ProgressReport(BaseModel):
    """One progress figure recorded (the project's or a phase's); the latest is the current one."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_reports")
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    percent = percent_field(_("progress (%)"))
    recorded_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_on", "-created_at"]


class Acceptance(BaseModel):
    """A deliverable's acceptance report (PV de réception): who signed it for the customer, when, and the
    reservations, if any, until they are lifted."""

    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="acceptances")
    accepted_on = models.DateField(_("accepted on"))
    signed_by = models.CharField(_("signed by"), max_length=200)
    reservations = models.TextField(_("reservations"), blank=True)
    reservations_lifted_on = models.DateField(_("reservations lifted on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-accepted_on", "-created_at"]

    @property
    def pending_reservations(self) -> bool:
        return bool(self.reservations) and self.reservations_lifted_on is None

"""Customer projects: what milestones, deposits and time entries are billed against.

A project belongs to one customer and one entity and is billed in one currency. Its fixed price (when
it has one) is what its milestones and deposits divide; time and expenses (`timesheets`) are billed on
top of it or instead of it (a time-and-materials project has no fixed price).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    DELIVERED = "delivered", _("delivered")
    CLOSED = "closed", _("closed")


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

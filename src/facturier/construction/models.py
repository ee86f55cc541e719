"""Construction contracts (marchés de travaux), their bill of quantities, situations and retention release.

A contract belongs to one customer and one entity, in one currency. Its bill of quantities (`ContractLine`)
prices the works; each `Situation` states the cumulative progress of every line (`SituationLine`) and, once
issued, is billed by one invoice for the difference since the previous situation, the retention guarantee
withheld from what is paid now (docs/construction.md). The retention is released once (`RetentionRelease`,
one per contract) after the guarantee period counted from the acceptance of the works, or earlier on an
explicit release.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import BaseModel, TenantModel


class ContractStatus(models.TextChoices):
    OPEN = "open", _("works in progress")
    ACCEPTED = "accepted", _("works accepted")
    CLOSED = "closed", _("closed")


class ConstructionContract(TenantModel):
    customer = models.ForeignKey(
        "parties.Customer", on_delete=models.PROTECT, related_name="construction_contracts"
    )
    reference = models.CharField(_("reference"), max_length=50)
    name = models.CharField(_("works"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    retention_rate = models.DecimalField(
        _("retention guarantee (%)"), max_digits=5, decimal_places=2, default=Decimal("5.00"),
        help_text=_("At most 5 % (law 71-584); 0 when a bank guarantee replaces it."),
    )  # fmt: skip
    bank_guarantee_reference = models.CharField(
        _("bank guarantee reference"), max_length=100, blank=True,
        help_text=_("The bank guarantee (caution bancaire) replacing the retention, if any."),
    )  # fmt: skip
    guarantee_months = models.PositiveIntegerField(_("guarantee period (months)"), default=12)
    acceptance_date = models.DateField(_("acceptance of the works"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ContractStatus.choices, default=ContractStatus.OPEN
    )

    class Meta:
        ordering = ["reference"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "reference"], name="construction_contract_unique_reference"),
            models.CheckConstraint(
                condition=models.Q(retention_rate__gte=0) & models.Q(retention_rate__lte=5),
                name="construction_contract_retention_rate_range",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.reference} — {self.name}"


class ContractLine(BaseModel):
    """One line of the bill of quantities (bordereau / DPGF): its worth is quantity × unit price."""

    contract = models.ForeignKey(ConstructionContract, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=3, default="C62")
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=4)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=6)
    vat_category = models.CharField(_("VAT category"), max_length=2, default="S")
    vat_rate = models.DecimalField(_("VAT rate"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["contract", "position"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "position"], name="construction_line_unique_position"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0) & models.Q(unit_price__gte=0),
                name="construction_line_not_negative",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.position}. {self.description}"


class Situation(BaseModel):
    """A progress statement: number n of its contract, dated, billed by `document` once issued."""

    contract = models.ForeignKey(ConstructionContract, on_delete=models.PROTECT, related_name="situations")
    number = models.PositiveIntegerField(_("number"))
    date = models.DateField(_("date"))
    correction = models.BooleanField(_("correction"), default=False)
    document = models.OneToOneField(
        "invoicing.Document", on_delete=models.PROTECT, null=True, blank=True, related_name="situation"
    )
    amount = models.DecimalField(
        _("amount excluding VAT"), max_digits=16, decimal_places=2, default=Decimal(0)
    )
    retention = models.DecimalField(
        _("retention withheld"), max_digits=16, decimal_places=2, default=Decimal(0)
    )

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "number"], name="construction_situation_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} — {self.number}"


class SituationLine(BaseModel):
    """The cumulative progress of one contract line at a situation, and the amounts it gives."""

    situation = models.ForeignKey(Situation, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(ContractLine, on_delete=models.PROTECT, related_name="+")
    percent = models.DecimalField(
        _("cumulative progress (%)"), max_digits=9, decimal_places=4, null=True, blank=True
    )
    quantity_done = models.DecimalField(
        _("cumulative quantity done"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    cumulative = models.DecimalField(_("cumulative amount"), max_digits=16, decimal_places=2)
    previous = models.DecimalField(_("previously invoiced"), max_digits=16, decimal_places=2)
    amount = models.DecimalField(_("this situation"), max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["situation", "line__position"]
        constraints = [
            models.UniqueConstraint(fields=["situation", "line"], name="construction_situation_line_unique"),
        ]


class RetentionRelease(BaseModel):
    """The release of the retention withheld on a contract's situations: once per contract (unique)."""

    contract = models.OneToOneField(ConstructionContract, on_delete=models.PROTECT, related_name="release")
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount released"), max_digits=16, decimal_places=2)
    early = models.BooleanField(_("released before the end of the guarantee period"), default=False)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

"""Products and services with their price, unit and VAT category."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.catalog.units import UNIT_CHOICES
from facturier.common.models import TenantModel


class VatCategory(models.TextChoices):
    STANDARD = "S", _("Standard rate")
    ZERO = "Z", _("Zero rated")
    EXEMPT = "E", _("Exempt")
    REVERSE_CHARGE = "AE", _("Reverse charge")
    INTRA_EU = "K", _("Intra-community supply")
    EXPORT = "G", _("Export outside the EU")
    OUTSIDE_SCOPE = "O", _("Outside the scope of VAT")


class AccountingCategory(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICES = "services", _("Services")


class Product(TenantModel):
    sku = models.CharField(_("reference"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=3, choices=UNIT_CHOICES, default="C62")
    unit_price = models.DecimalField(_("unit price (excl. VAT)"), max_digits=20, decimal_places=6)
    vat_category = models.CharField(_("VAT category"), max_length=2, choices=VatCategory.choices, default="S")
    vat_rate = models.DecimalField(
        _("VAT rate (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00")
    )
    accounting_category = models.CharField(
        _("accounting category"),
        max_length=10,
        choices=AccountingCategory.choices,
        default=AccountingCategory.SERVICES,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["entity", "sku"], name="unique_sku_per_entity")]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"

"""Price lists, discounts and promotions: the rules that price a line from the product and customer records.

How they combine is decided in `facturier.domain.pricing.rules` (and told in docs/pricing.md).
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import BaseModel, TenantModel


class Segment(TenantModel):
    """A group of customers sharing prices and discounts (wholesalers, schools...). A customer may be in several."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    customers = models.ManyToManyField(
        "parties.Customer", blank=True, related_name="+", verbose_name=_("customers")
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="unique_segment_code_per_entity")
        ]
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")

    def __str__(self) -> str:
        return self.name


class PriceList(TenantModel):
    """Prices for one customer (negotiated prices) or one segment, in one currency, between two dates."""

    name = models.CharField(_("name"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    customer = models.ForeignKey(
        "parties.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("customer"),
    )  # fmt: skip
    segment = models.ForeignKey(
        Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="price_lists",
        verbose_name=_("customer segment"),
    )  # fmt: skip
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["entity", "currency", "is_active"], name="price_list_lookup")]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")

    def __str__(self) -> str:
        return self.name


class PriceListItem(BaseModel):
    """The price of one product in a list from `min_quantity` up; several rows make quantity breaks."""

    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("product"))  # fmt: skip
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=20, decimal_places=4, default=Decimal(0)
    )
    unit_price = models.DecimalField(_("unit price (excl. VAT)"), max_digits=20, decimal_places=6)
    # Volume (False): a line reaching this break has every unit at this price. Graduated: only the units
    # from this break on; those below are priced by the lower breaks (domain.pricing.tiers).
    graduated = models.BooleanField(_("graduated"), default=False)

    class Meta:
        ordering = ["product__name", "min_quantity"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_list", "product", "min_quantity"], name="one_price_per_break"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product} ≥ {self.min_quantity}: {self.unit_price}"


class DiscountKind(models.TextChoices):
    VOLUME = "volume", _("Volume (by quantity)")
    LOYALTY = "loyalty", _("Loyalty")


class Discount(TenantModel):
    """An automatic percent off: by quantity on the line (volume tiers: one row per tier) or for loyal customers."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=DiscountKind.choices)
    percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("product"))  # fmt: skip
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("customer segment"))  # fmt: skip
    min_quantity = models.DecimalField(
        _("from quantity"), max_digits=20, decimal_places=4, default=Decimal(0)
    )
    min_invoiced = models.DecimalField(
        _("invoiced over the last 12 months at least"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    min_years = models.PositiveSmallIntegerField(_("customer for at least (years)"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("discount")
        verbose_name_plural = _("discounts")

    def __str__(self) -> str:
        return self.name


class Promotion(TenantModel):
    """A time-limited percent off: automatic when it has no code, else only on documents carrying its code."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=40, blank=True)
    percent = models.DecimalField(_("discount %"), max_digits=5, decimal_places=2)
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+", verbose_name=_("product"))  # fmt: skip
    customer = models.ForeignKey("parties.Customer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", verbose_name=_("customer"))  # fmt: skip
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("customer segment"))  # fmt: skip
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-valid_from", "name"]
        indexes = [models.Index(fields=["entity", "code"], name="promotion_by_code")]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})" if self.code else self.name

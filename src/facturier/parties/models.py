"""Customers (B2B, B2C, public sector) and their contacts."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from facturier.common.models import TenantModel


class CustomerKind(models.TextChoices):
    BUSINESS = "business", _("Business (B2B)")
    CONSUMER = "consumer", _("Consumer (B2C)")
    PUBLIC = "public", _("Public sector (B2G)")


class VatRegime(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic (French VAT)")
    INTRA_EU_REVERSE_CHARGE = "intra_eu_reverse_charge", _("Intra-EU, reverse charge")
    EXPORT = "export", _("Export outside the EU")
    EXEMPT = "exempt", _("Exempt (with reason)")


class Customer(TenantModel):
    code = models.CharField(_("customer code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=20, choices=CustomerKind.choices, default=CustomerKind.BUSINESS
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    registration_id = models.CharField(_("foreign registration number"), max_length=50, blank=True)
    registration_scheme = models.CharField(_("registration scheme (ISO 6523)"), max_length=10, blank=True)
    address_line1 = models.CharField(_("billing address"), max_length=200)
    address_line2 = models.CharField(_("billing address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=2, default="FR")
    delivery_line1 = models.CharField(_("delivery address"), max_length=200, blank=True)
    delivery_line2 = models.CharField(_("delivery address (continued)"), max_length=200, blank=True)
    delivery_postcode = models.CharField(_("delivery postcode"), max_length=20, blank=True)
    delivery_city = models.CharField(_("delivery city"), max_length=100, blank=True)
    delivery_country = models.CharField(_("delivery country"), max_length=2, blank=True)
    email = models.EmailField(_("billing email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=[("fr", "Français"), ("en", "English")], default="fr"
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    payment_terms = models.CharField(_("payment terms"), max_length=20, default="net30")
    vat_regime = models.CharField(
        _("VAT regime"), max_length=30, choices=VatRegime.choices, default=VatRegime.DOMESTIC
    )
    exemption_reason = models.CharField(_("VAT exemption reason"), max_length=200, blank=True)
    electronic_address_scheme = models.CharField(_("e-invoicing address scheme"), max_length=10, blank=True)
    electronic_address = models.CharField(_("e-invoicing address"), max_length=100, blank=True)
    service_code = models.CharField(_("Chorus Pro service code"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="unique_customer_code_per_entity")
        ]
        indexes = [
            models.Index(fields=["entity", "name"], name="customer_by_name"),
            # the API's list order (`api.v1.pagination.paginate`: newest first, id as tiebreaker)
            models.Index(fields=["entity", "-created_at", "-id"], name="customer_newest_first"),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [
            line for line in (self.address_line1, self.address_line2, f"{self.postcode} {self.city}") if line
        ]


class Contact(TenantModel):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=150)
    role = models.CharField(_("role"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_billing_contact = models.BooleanField(_("billing contact"), default=False)

    def __str__(self) -> str:
        return self.name


class Supplier(TenantModel):
    """A company that invoices us. Created from received e-invoices (or by hand) and matched on later
    receipts by SIREN, then VAT number, so one supplier keeps one row however its invoices arrive."""

    name = models.CharField(_("name"), max_length=200)
    siren = models.CharField("SIREN", max_length=9, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    registration_id = models.CharField(_("foreign registration number"), max_length=50, blank=True)
    registration_scheme = models.CharField(_("registration scheme (ISO 6523)"), max_length=10, blank=True)
    address_line1 = models.CharField(_("address"), max_length=200, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    email = models.EmailField(_("email"), blank=True)
    electronic_address_scheme = models.CharField(_("e-invoicing address scheme"), max_length=10, blank=True)
    electronic_address = models.CharField(_("e-invoicing address"), max_length=100, blank=True)
    iban = models.CharField("IBAN", max_length=34, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("internal notes"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "siren"],
                condition=~models.Q(siren=""),
                name="unique_supplier_siren_per_entity",
            )
        ]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name

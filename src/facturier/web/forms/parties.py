"""Customer and product forms. They only shape the input: the parties and catalog services validate
identifiers, prices and uniqueness, and their errors come back onto the field they name."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.catalog.models import Product
from facturier.common.errors import BusinessError
from facturier.domain.payment_terms import PRESETS
from facturier.parties.models import Contact, Customer
from facturier.web.error_messages import explain

TERMS_LABELS = {
    "receipt": _("On receipt"),
    "net15": _("15 days"),
    "net30": _("30 days"),
    "net45": _("45 days"),
    "net60": _("60 days"),
    "45eom": _("45 days end of month"),
    "30eom": _("30 days end of month"),
    "eom45": _("End of month + 45 days"),
}


def payment_terms_choices() -> list[tuple[str, str]]:
    return [(code, str(TERMS_LABELS.get(code, code))) for code in PRESETS]


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form whose cleaned data goes to a service (never `form.save()`)."""

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data
        }

    def attach(self, error: BusinessError) -> None:
        self.add_error(error.field if error.field in self.fields else None, explain(error))


class CustomerForm(ServiceForm):
    payment_terms = forms.ChoiceField(label=_("Payment terms"), choices=payment_terms_choices)

    class Meta:
        model = Customer
        fields = (
            "code", "name", "kind", "siren", "siret", "vat_number", "registration_id", "registration_scheme",
            "address_line1", "address_line2", "postcode", "city", "country", "delivery_line1",
            "delivery_line2", "delivery_postcode", "delivery_city", "delivery_country", "email", "phone",
            "language", "currency", "payment_terms", "vat_regime", "exemption_reason",
            "electronic_address_scheme", "electronic_address", "service_code", "is_active", "notes",
        )  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


class ProductForm(ServiceForm):
    class Meta:
        model = Product
        fields = (
            "sku", "name", "description", "unit", "unit_price", "vat_category", "vat_rate",
            "accounting_category", "is_active",
        )  # fmt: skip
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ContactForm(ServiceForm):
    class Meta:
        model = Contact
        fields = ("name", "role", "email", "phone", "is_billing_contact")

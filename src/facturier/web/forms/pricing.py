"""Pricing rule forms: they shape the input; facturier.pricing.services checks and audits it.

Customers, segments and products are offered from the current company only.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.parties.models import Customer
from facturier.pricing.models import Discount, PriceList, PriceListItem, Promotion, Segment
from facturier.web.access import of_entity
from facturier.web.forms.documents import CustomerPicker, ProductPicker
from facturier.web.forms.parties import ServiceForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


PICKERS: dict[str, type[CustomerPicker] | type[ProductPicker]] = {
    "customer": CustomerPicker,
    "product": ProductPicker,
}


class EntityForm(ServiceForm):
    """A service form whose customer, segment and product choices are the company's.

    A customer or a product is chosen by searching (the picker), never from a drop-down of all of them
    (issue 9); the model's label, help text and optionality are kept."""

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name, picker in PICKERS.items():
            if name in self.fields:
                field = self.fields[name]
                self.fields[name] = picker(
                    label=field.label, required=field.required, help_text=field.help_text
                )
        choices = {"customer": Customer, "segment": Segment, "product": Product, "customers": Customer}
        for name, model in choices.items():
            if name in self.fields:
                self.fields[name].queryset = of_entity(model, entity)  # type: ignore[attr-defined]


class SegmentForm(EntityForm):
    """The segment's members are ticked boxes (untick to remove); others join one at a time through the
    picker, so that the page never lists every customer of the company (issue 9)."""

    customers = forms.ModelMultipleChoiceField(label=_("Customers"), queryset=Customer.objects.none(),
                                               required=False, widget=forms.CheckboxSelectMultiple)  # fmt: skip
    add_customer = CustomerPicker(label=_("Add a customer"), required=False)

    class Meta:
        model = Segment
        fields = ("code", "name")

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, entity=entity, **kwargs)
        members = self.instance.customers.order_by("name") if self.instance.pk else Customer.objects.none()
        self.fields["customers"].queryset = members  # type: ignore[attr-defined]
        self.fields["add_customer"].queryset = of_entity(Customer, entity)  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["customers"] = [member.pk for member in members]

    def members(self) -> list[Customer]:
        """The customers kept ticked, plus the one picked, once."""
        chosen = list(self.cleaned_data["customers"])
        added = self.cleaned_data.get("add_customer")
        return chosen + [added] if added is not None and added not in chosen else chosen


class PriceListForm(EntityForm):
    class Meta:
        model = PriceList
        fields = ("name", "currency", "customer", "segment", "valid_from", "valid_until", "is_active")
        widgets = {"valid_from": DATE, "valid_until": DATE}
        help_texts = {"customer": _("A price list is for one customer or for one segment.")}


class PriceListItemForm(EntityForm):
    class Meta:
        model = PriceListItem
        fields = ("product", "min_quantity", "unit_price", "graduated")
        labels = {"graduated": _("Graduated: only the units from this quantity on take this price")}
        help_texts = {
            "graduated": _("Unticked (volume): a line reaching this quantity has every unit at this price.")
        }


class DiscountForm(EntityForm):
    class Meta:
        model = Discount
        fields = ("name", "kind", "percent", "product", "segment", "min_quantity", "min_invoiced", "min_years",
                  "valid_from", "valid_until", "is_active")  # fmt: skip
        widgets = {"valid_from": DATE, "valid_until": DATE}
        help_texts = {
            "min_quantity": _(
                "Volume: the discount applies from this quantity on the line (one discount per tier)."
            ),
            "min_invoiced": _(
                "Loyalty: invoiced excl. VAT over the last 12 months, in the company's currency."
            ),
        }


class PromotionForm(EntityForm):
    class Meta:
        model = Promotion
        fields = ("name", "code", "percent", "product", "customer", "segment", "valid_from", "valid_until",
                  "is_active")  # fmt: skip
        widgets = {"valid_from": DATE, "valid_until": DATE}
        help_texts = {
            "code": _("Empty: applied automatically. Otherwise only to documents carrying this code.")
        }

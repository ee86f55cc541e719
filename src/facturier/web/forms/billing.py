"""Forms of the billing pages: a contract with its items, a change of item, a termination, a run, index values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.parties.models import Customer
from facturier.web.forms.documents import CustomerPicker

ITEM_ROWS = 3
PRICING = [("per_unit", _("per unit or seat")), ("flat", _("flat fee")), ("tiered", _("tiered (graduated)")),
           ("volume", _("volume")), ("one_off", _("one-off fee"))]  # fmt: skip
FREQUENCIES = [("monthly", _("monthly")), ("quarterly", _("quarterly")), ("yearly", _("yearly"))]
DATE = forms.DateInput(attrs={"type": "date"})


def parse_tiers(text: str) -> list[dict[str, Any]]:
    """``10:5; 50:4; *:3`` (up to N units at a price; ``*`` for the rest) into the tiers of an item."""
    tiers: list[dict[str, Any]] = []
    for part in filter(None, (chunk.strip() for chunk in text.split(";"))):
        limit, _sep, price = part.partition(":")
        try:
            tiers.append({"up_to": None if limit.strip() in ("*", "") else int(limit),
                          "unit_price": str(Decimal(price.strip().replace(",", ".")))})  # fmt: skip
        except (ArithmeticError, ValueError):
            raise forms.ValidationError(
                _("Tiers are written 10:5; 50:4; *:3 (up to 10 units at 5...).")
            ) from None
    return tiers


class ItemFields(forms.Form):
    """One item row of the contract form (a blank description skips the row)."""

    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    pricing_model = forms.ChoiceField(label=_("Pricing"), choices=PRICING, initial="per_unit")
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=20, decimal_places=4, initial=1
    )
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=20, decimal_places=6,
                                    required=False, help_text=_("Per period; flat: the period's fee."))  # fmt: skip
    tiers = forms.CharField(label=_("Tiers"), required=False, max_length=500,
                            help_text=_("Tiered and volume: 10:5; 50:4; *:3 (up to 10 units at 5...)."))  # fmt: skip
    index_base = forms.DecimalField(label=_("Index base (S0)"), required=False, min_value=0, max_digits=14,
                                    decimal_places=4, help_text=_("Indexed items only."))  # fmt: skip

    def clean_tiers(self) -> list[dict[str, Any]]:
        return parse_tiers(self.cleaned_data.get("tiers") or "")


class ContractForm(forms.Form):
    customer = CustomerPicker(label=_("Customer"))  # a search, never a list of every customer (issue 9)
    reference = forms.CharField(label=_("Reference"), max_length=50)
    start_date = forms.DateField(label=_("Start date"), widget=DATE)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=FREQUENCIES)
    timing = forms.ChoiceField(
        label=_("Billing"), choices=[("advance", _("in advance")), ("arrears", _("in arrears"))]
    )
    alignment = forms.ChoiceField(label=_("Periods"), choices=[("calendar", _("calendar months")),
                                                                ("anniversary", _("from the start date"))])  # fmt: skip
    trial_days = forms.IntegerField(label=_("Trial (days)"), min_value=0, max_value=3650, initial=0)
    term_months = forms.IntegerField(label=_("Term (months)"), min_value=1, max_value=1200, required=False)
    tacit_renewal = forms.BooleanField(label=_("Tacit renewal"), required=False, initial=True)
    notice_days = forms.IntegerField(label=_("Notice (days)"), min_value=0, max_value=3650, initial=0)
    proration_policy = forms.ChoiceField(label=_("Changes billed"), choices=[
        ("next_invoice", _("on the next invoice")), ("immediate", _("immediately"))])  # fmt: skip
    minimum_amount = forms.DecimalField(label=_("Minimum commitment per period"), required=False, min_value=0,
                                        max_digits=20, decimal_places=2)  # fmt: skip
    notify_days = forms.IntegerField(label=_("Notify the customer (days before)"), required=False, min_value=0,
                                     max_value=365, help_text=_("Email before each invoice and renewal."))  # fmt: skip
    index = forms.ChoiceField(label=_("Price index"), required=False)
    revision_date = forms.DateField(label=_("Next price revision"), required=False, widget=DATE)

    def __init__(
        self, *args: Any, entity: LegalEntity, indices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(entity=entity)  # type: ignore[attr-defined]
        self.fields["index"].choices = [("", _("Not indexed")), *indices]  # type: ignore[attr-defined]


class ChangeForm(forms.Form):
    item = forms.ChoiceField(label=_("Item"), required=False)
    effective_date = forms.DateField(label=_("From"), widget=DATE)
    quantity = forms.DecimalField(
        label=_("New quantity"), min_value=0, max_digits=20, decimal_places=4, required=False
    )
    unit_price = forms.DecimalField(label=_("New unit price"), min_value=0, max_digits=20, decimal_places=6,
                                    required=False)  # fmt: skip
    description = forms.CharField(label=_("New description (a plan change)"), max_length=500, required=False)
    remove = forms.BooleanField(label=_("Remove the item from that day"), required=False)

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items  # type: ignore[attr-defined]


class TerminateForm(forms.Form):
    end_date = forms.DateField(label=_("First day no longer billed"), widget=DATE)


class RunForm(forms.Form):
    day = forms.DateField(label=_("Billing date"), widget=DATE)
    mode = forms.ChoiceField(label=_("Run"), widget=forms.RadioSelect, initial="preview", choices=[
        ("preview", _("Preview only (dry run)")), ("approval", _("Prepare, to be approved")),
        ("now", _("Bill now"))])  # fmt: skip


class IndexValueForm(forms.Form):
    code = forms.CharField(label=_("Index"), max_length=30, initial="Syntec")
    date = forms.DateField(label=_("Published for"), widget=DATE, required=False)
    value = forms.DecimalField(label=_("Value"), min_value=0, max_digits=14, decimal_places=4, required=False)
    file = forms.FileField(label=_("Or a CSV file (date,value)"), required=False)

"""Forms of the construction pages: a new contract with its bill of quantities, a situation's cumulative
progress per line, acceptance, release."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.catalog.units import UNIT_CHOICES
from facturier.parties.models import Customer
from facturier.web.forms.documents import CustomerPicker
from facturier.web.forms.fields import LocalizedDecimalField

LINE_ROWS = 8
"""Empty rows of the bill of quantities on the new-contract page (a row without description is skipped)."""


def DateInput() -> forms.DateInput:  # noqa: N802 - a widget, as Django names them
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ContractForm(forms.Form):
    """The header of a new construction contract; the service checks the rules (retention, currency)."""

    customer = CustomerPicker(label=_("Customer"))  # a search, never a list of every customer (issue 9)
    reference = forms.CharField(label=_("Reference"), max_length=50)
    name = forms.CharField(label=_("Works"), max_length=200, required=False)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("The customer's"), "size": 4}),
    )  # fmt: skip
    retention_rate = LocalizedDecimalField(
        label=_("Retention guarantee (%)"), max_digits=5, decimal_places=2, initial=Decimal("5.00"),
        required=False, help_text=_("At most 5 %; 0 with a bank guarantee."),
    )  # fmt: skip
    bank_guarantee_reference = forms.CharField(
        label=_("Bank guarantee reference"), max_length=100, required=False,
        help_text=_("A bank guarantee replaces the retention."),
    )  # fmt: skip
    guarantee_months = forms.IntegerField(
        label=_("Guarantee period (months)"), min_value=0, max_value=120, initial=12
    )

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.filter(entity=entity, is_active=True)  # type: ignore[attr-defined]


class ContractLineFields(forms.Form):
    """One row of the bill of quantities (a blank description skips the row)."""

    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    unit = forms.ChoiceField(label=_("Unit"), choices=UNIT_CHOICES, initial="C62")
    quantity = LocalizedDecimalField(label=_("Quantity"), max_digits=14, decimal_places=4, required=False)
    unit_price = LocalizedDecimalField(label=_("Unit price"), max_digits=14, decimal_places=6, required=False)
    vat_rate = LocalizedDecimalField(
        label=_("VAT rate"), max_digits=5, decimal_places=2, initial=Decimal("20.00"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("description"):
            for name in ("quantity", "unit_price"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("Required when the line has a description."))
        return data


class SituationForm(forms.Form):
    """One percentage and one quantity field per line of the bill of quantities; a line left empty
    keeps its progress."""

    date = forms.DateField(label=_("Statement date"), widget=DateInput())
    correction = forms.BooleanField(
        label=_("This situation corrects earlier progress (progress may go down)"), required=False
    )

    def __init__(self, *args: Any, rows: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            line = row.line
            self.fields[f"percent_{line.position}"] = forms.DecimalField(
                label=_("%(line)s: cumulative progress (%%)") % {"line": f"{line.position}. {line.description}"},
                required=False, min_value=0, max_digits=9, decimal_places=4,
            )  # fmt: skip
            self.fields[f"quantity_{line.position}"] = forms.DecimalField(
                label=_("%(line)s: or quantity done so far (of %(quantity)s)")
                % {"line": f"{line.position}.", "quantity": line.quantity.normalize()},
                required=False, min_value=0, max_digits=14, decimal_places=4,
            )  # fmt: skip

    def line_fields(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [
            (row, self[f"percent_{row.line.position}"], self[f"quantity_{row.line.position}"])
            for row in self.rows
        ]


class AcceptForm(forms.Form):
    acceptance_date = forms.DateField(
        label=_("Acceptance of the works (date of the report)"), widget=DateInput()
    )


class ReleaseForm(forms.Form):
    early = forms.BooleanField(label=_("Release before the end of the guarantee period"), required=False)
    reason = forms.CharField(label=_("Reason (for an early release)"), required=False, max_length=300)

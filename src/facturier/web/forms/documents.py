"""The document editor: a header form, a formset of lines and one of allowances/charges, turned into
service calls.

Forms only shape the input; the services validate the business rules and compute the totals, and their
errors come back onto the field they name (`lines[2].quantity` -> line 3's quantity).
"""

import re
import uuid
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.catalog.units import UNIT_CHOICES
from facturier.common.errors import BusinessError
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.invoicing.services import AllowanceChargeData, LineData
from facturier.parties.models import Customer
from facturier.web.access import of_entity
from facturier.web.error_messages import explain
from facturier.web.forms.parties import payment_terms_choices

INVOICE_TYPES = [
    (TypeCode.COMMERCIAL.value, _("Invoice (380)")),
    (TypeCode.DEPOSIT.value, _("Deposit invoice (386)")),
    (TypeCode.CORRECTIVE.value, _("Corrective invoice (384)")),
]
FIELD_PATH = re.compile(r"(lines|allowances_charges)\[(\d+)\](?:\.(\w+))?")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DocumentHeaderForm(forms.Form):
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.none(), empty_label=_("Choose a customer")
    )
    type_code = forms.ChoiceField(label=_("Type"), choices=INVOICE_TYPES, required=False)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    exchange_rate = forms.DecimalField(
        label=_("Exchange rate"), required=False, max_digits=20, decimal_places=6, min_value=Decimal("0")
    )
    payment_terms = forms.ChoiceField(
        label=_("Payment terms"), choices=payment_terms_choices, initial="net30"
    )
    issue_date = forms.DateField(label=_("Date"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    delivery_date = forms.DateField(label=_("Delivery date"), required=False, widget=DATE)
    buyer_reference = forms.CharField(label=_("Buyer reference"), max_length=100, required=False)
    purchase_order_reference = forms.CharField(
        label=_("Purchase order reference"), max_length=100, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deposits = forms.ModelMultipleChoiceField(
        label=_("Deposits to deduct"), queryset=Document.objects.none(), required=False
    )

    def __init__(
        self, *args: Any, entity: LegalEntity, kind: str, is_credit_note: bool = False, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.entity, self.kind = entity, kind
        customers = of_entity(Customer, entity).filter(is_active=True)
        self.fields["customer"].queryset = customers  # type: ignore[attr-defined]
        self.fields["currency"].initial = entity.default_currency
        deposits = self._deposits(customers) if kind == Kind.INVOICE and not is_credit_note else None
        if deposits is not None and deposits.exists():
            self.fields["deposits"].queryset = deposits  # type: ignore[attr-defined]
        else:
            del self.fields["deposits"]
        if kind != Kind.INVOICE or is_credit_note:
            del self.fields["type_code"]
        if kind == Kind.INVOICE:
            del self.fields["issue_date"]  # an invoice is dated when it is issued
        if kind != Kind.QUOTE:
            del self.fields["valid_until"]
        if is_credit_note:
            self.fields["customer"].disabled = True

    def _deposits(self, customers: Any) -> Any:
        """Issued deposit invoices that may be deducted: the chosen customer's, not yet deducted elsewhere."""
        rows = (
            of_entity(Document, self.entity)
            .filter(kind=Kind.INVOICE, type_code=TypeCode.DEPOSIT, seal_hash__gt="")
            .exclude(deducted_by__seal_hash__gt="")
            .order_by("issue_date")
        )
        customer = self.data.get(self.add_prefix("customer")) or self.initial.get("customer")
        try:
            customer_pk = uuid.UUID(str(getattr(customer, "pk", customer)))
        except ValueError:
            return rows  # none chosen yet (or garbage, which the customer field reports)
        return rows.filter(customer__in=customers.filter(pk=customer_pk))

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def header_values(self) -> dict[str, Any]:
        """The keyword arguments for document_create / document_update (customer, lines apart)."""
        data = dict(self.cleaned_data)
        for name in ("customer", "deposits", "type_code"):
            data.pop(name, None)
        for optional in ("issue_date", "valid_until", "delivery_date"):
            if optional in data and data[optional] is None:
                data.pop(optional)
        return data


def _product_choices(entity: LegalEntity) -> Any:
    return of_entity(Product, entity).filter(is_active=True)


def label_cells(form: forms.Form) -> None:
    """Rows of the editor show their labels once, in the table head: each input still names itself."""
    for field in form.fields.values():
        field.widget.attrs.setdefault("aria-label", str(field.label))


class ProductSelect(forms.Select):
    """Options carry the product's defaults so the editor can prefill a line as soon as it is picked."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        product = getattr(value, "instance", None)
        if isinstance(product, Product):
            option["attrs"].update(
                {
                    "data-description": product.name,
                    "data-price": plain(product.unit_price),
                    "data-unit": product.unit,
                    "data-vat": plain(product.vat_rate),
                }
            )
        return option


class LineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        widget=ProductSelect,
        empty_label=_("Free line"),
    )
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=20, decimal_places=6, initial=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=20, decimal_places=6, required=False)
    discount_percent = forms.DecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, required=False
    )
    vat_rate = forms.DecimalField(label=_("VAT %"), max_digits=5, decimal_places=2, required=False)

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _product_choices(entity)  # type: ignore[attr-defined]
        label_cells(self)

    def line_data(self) -> LineData:
        data = self.cleaned_data
        return LineData(
            product=data.get("product"),
            description=data.get("description") or "",
            quantity=data["quantity"],
            unit=data.get("unit") or None,
            unit_price=data.get("unit_price"),
            discount_percent=data.get("discount_percent") or Decimal("0"),
            vat_rate=data.get("vat_rate"),
        )


class AllowanceChargeForm(forms.Form):
    is_charge = forms.TypedChoiceField(
        label=_("Kind"),
        choices=[("0", _("Allowance")), ("1", _("Charge"))],
        coerce=lambda value: value == "1",
        initial="0",
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=2, required=False)
    percent = forms.DecimalField(label=_("Percent"), max_digits=5, decimal_places=2, required=False)
    vat_rate = forms.DecimalField(
        label=_("VAT %"), max_digits=5, decimal_places=2, initial=Decimal("20"), required=False
    )

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        label_cells(self)

    def allowance_charge_data(self) -> AllowanceChargeData:
        data = self.cleaned_data
        rate = data.get("vat_rate")
        return AllowanceChargeData(
            reason=data.get("reason") or "",
            amount=data.get("amount"),
            percent=data.get("percent"),
            is_charge=bool(data.get("is_charge")),
            vat_rate=Decimal("20") if rate is None else rate,
        )


class EntityFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        self.entity = entity
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {"entity": self.entity}

    def kept_forms(self) -> list[Any]:
        """The rows to save, in order: existing rows and filled-in new ones, less those marked deleted."""
        return [
            form
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not getattr(form, "cleaned_data", {}).get("DELETE", False)
        ]


LineFormSet = cast(
    type[EntityFormSet], forms.formset_factory(LineForm, formset=EntityFormSet, extra=0, can_delete=True)
)
AllowanceChargeFormSet = cast(
    type[EntityFormSet],
    forms.formset_factory(AllowanceChargeForm, formset=EntityFormSet, extra=0, can_delete=True),
)


def plain(value: Decimal) -> str:
    """20.00 -> "20", 0.2500 -> "0.25": what a person types (never the "2E+1" of Decimal.normalize)."""
    return format(value.normalize(), "f")


def lines_initial(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": plain(line.quantity),
            "unit": line.unit,
            "unit_price": plain(line.unit_price),
            "discount_percent": plain(line.discount_percent),
            "vat_rate": plain(line.vat_rate),
        }
        for line in document.lines.all()
    ]


def allowances_initial(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "is_charge": "1" if ac.is_charge else "0",
            "reason": ac.reason,
            "amount": None if ac.percent is not None else plain(ac.amount),
            "percent": None if ac.percent is None else plain(ac.percent),
            "vat_rate": plain(ac.vat_rate),
        }
        for ac in document.allowances_charges.all()
    ]


def attach_error(error: BusinessError, header: forms.Form, lines: list[Any], allowances: list[Any]) -> None:
    """Put a service's error on the field it names; otherwise at the top of the form."""
    message = explain(error)
    match = FIELD_PATH.fullmatch(error.field or "")
    rows = {"lines": lines, "allowances_charges": allowances}
    if match and int(match.group(2)) < len(rows[match.group(1)]):
        form, name = rows[match.group(1)][int(match.group(2))], match.group(3)
        form.add_error(name if name in form.fields else None, message)
    elif error.field in header.fields:
        header.add_error(error.field, message)
    else:
        header.add_error(None, message)

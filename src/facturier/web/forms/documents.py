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
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing.models import Document, Kind, TypeCode
from facturier.invoicing.services import AllowanceChargeData, LineData
from facturier.invoicing.services.drafts import CUSTOMER_TERMS
from facturier.parties.models import Customer
from facturier.web.access import of_entity
from facturier.web.error_messages import explain
from facturier.web.forms.fields import LocalizedDecimalField, PickerField
from facturier.web.forms.parties import payment_terms_choices
from facturier.web.numbers import ui_language

INVOICE_TYPES = [
    (TypeCode.COMMERCIAL.value, _("Invoice (380)")),
    (TypeCode.DEPOSIT.value, _("Deposit invoice (386)")),
    (TypeCode.CORRECTIVE.value, _("Corrective invoice (384)")),
]
FIELD_PATH = re.compile(r"(lines|allowances_charges)\[(\d+)\](?:\.(\w+))?")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def customer_label(customer: Customer) -> str:
    """How a customer is named in the picker: its name (the code and SIREN are in the suggestion)."""
    return customer.name


def product_label(product: Product) -> str:
    return f"{product.sku} — {product.name}"


class CustomerPicker(PickerField):
    """A customer found by searching (`web:lookup` customers), resolved without JS by code, SIREN or name.

    Every customer chooser of the UI uses it: a company may have 100,000 customers, which a drop-down
    would render whole (issue 9)."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("source", "customers")
        kwargs.setdefault("exact_fields", ("code", "siren", "name"))
        kwargs.setdefault("queryset", Customer.objects.none())
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return customer_label(obj)


class ProductPicker(PickerField):
    """A product found by searching (`web:lookup` products), resolved without JS by reference or name."""

    def __init__(self, **kwargs: Any):
        kwargs.setdefault("source", "products")
        kwargs.setdefault("exact_fields", ("sku", "name"))
        kwargs.setdefault("queryset", Product.objects.none())
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return product_label(obj)


def terms_choice(code: str) -> tuple[str, str]:
    """A payment-terms option: the preset's label, else the terms in words ("20 jours net")."""
    label = dict(payment_terms_choices()).get(code)
    return code, label if label is not None else parse_terms(code).describe(ui_language())


def _terms_choices(codes: set[str]) -> list[tuple[str, str]]:
    """The presets, plus any other readable terms in play (a customer on "net20" keeps them)."""
    choices = [("", str(_("The customer's terms"))), *payment_terms_choices()]
    known = {code for code, _label in choices}
    for code in sorted(codes - known):
        try:
            choices.append(terms_choice(code))
        except ValueError:
            continue  # unreadable: the field reports it
    return choices


class DocumentHeaderForm(forms.Form):
    """The header. Currency, language and payment terms left empty are the customer's (the service
    applies them, as it does for the API); the editor fills them in when a customer is picked."""

    customer = CustomerPicker(
        label=_("Customer"), queryset=Customer.objects.none(), source="customers",
        exact_fields=("code", "siren", "name"),
    )  # fmt: skip
    type_code = forms.ChoiceField(label=_("Type"), choices=INVOICE_TYPES, required=False)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("The customer's"), "size": 4}),
    )  # fmt: skip
    exchange_rate = LocalizedDecimalField(
        label=_("Exchange rate"), required=False, max_digits=20, decimal_places=6, min_value=Decimal("0")
    )
    language = forms.ChoiceField(
        label=_("Document language"), required=False,
        choices=[("", _("The customer's language")), ("fr", "Français"), ("en", "English")],
    )  # fmt: skip
    payment_terms = forms.ChoiceField(label=_("Payment terms"), required=False)
    issue_date = forms.DateField(label=_("Date"), required=False, widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    delivery_date = forms.DateField(label=_("Delivery date"), required=False, widget=DATE)
    buyer_reference = forms.CharField(label=_("Buyer reference"), max_length=100, required=False)
    purchase_order_reference = forms.CharField(
        label=_("Purchase order reference"), max_length=100, required=False
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    promotion_code = forms.CharField(label=_("Promotion code"), max_length=40, required=False)
    cost_centre = forms.CharField(
        label=_("Cost centre"), max_length=40, required=False,
        help_text=_("Routes the approval (rules by cost centre); not sent to the customer."),
    )  # fmt: skip
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
        in_play = {self.initial.get("payment_terms"), self.data.get(self.add_prefix("payment_terms"))}
        self.fields["payment_terms"].choices = _terms_choices({c for c in in_play if c})  # type: ignore[attr-defined]
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

    # Filled in from the customer or seldom needed: folded under one tab stop ("More details"), so
    # that the keyboard goes from the customer to the lines in a few presses (issue 12)
    MORE = (
        "currency",
        "exchange_rate",
        "language",
        "delivery_date",
        "buyer_reference",
        "purchase_order_reference",
        "promotion_code",
        "cost_centre",
    )

    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name not in self.MORE and name != "note"]

    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MORE if name in self.fields]

    def more_open(self) -> bool:
        """Unfolded when one of them has an error, or a value the customer did not bring."""
        folded = [*self.more_fields(), self["note"]]
        if any(bound.errors for bound in folded):
            return True
        own = (
            "exchange_rate",
            "delivery_date",
            "buyer_reference",
            "purchase_order_reference",
            "note",
            "promotion_code",
            "cost_centre",
        )
        return any(bound.value() not in (None, "") for bound in folded if bound.name in own)

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).upper()

    def header_values(self, *, customer_changed: bool = False) -> dict[str, Any]:
        """The keyword arguments for document_create / document_update (customer, lines apart).

        Currency, language and terms left empty are not sent, so the service applies the customer's;
        when a draft changes customer, those still as they were are not sent either: the new
        customer's apply, unless the user chose others.
        """
        data = dict(self.cleaned_data)
        for name in ("customer", "deposits", "type_code"):
            data.pop(name, None)
        for name in CUSTOMER_TERMS:
            if not data.get(name) or (customer_changed and name not in self.changed_data):
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


class LineForm(forms.Form):
    product = ProductPicker(
        label=_("Product"), queryset=Product.objects.none(), required=False, source="products",
        exact_fields=("sku", "name"),
    )  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    quantity = LocalizedDecimalField(label=_("Quantity"), max_digits=20, decimal_places=6, initial=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False)
    unit_price = LocalizedDecimalField(label=_("Unit price"), max_digits=20, decimal_places=6, required=False)
    discount_percent = LocalizedDecimalField(
        label=_("Discount %"), max_digits=5, decimal_places=2, required=False
    )
    vat_rate = LocalizedDecimalField(label=_("VAT %"), max_digits=5, decimal_places=2, required=False)

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _product_choices(entity)  # type: ignore[attr-defined]
        label_cells(self)
        self.fields["product"].widget.attrs["placeholder"] = _("Free line, or search a product")

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
    amount = LocalizedDecimalField(label=_("Amount"), max_digits=20, decimal_places=2, required=False)
    percent = LocalizedDecimalField(label=_("Percent"), max_digits=5, decimal_places=2, required=False)
    vat_rate = LocalizedDecimalField(
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


def lines_initial(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,  # Decimals: the widget writes them in the reader's language
            "unit": line.unit,
            "unit_price": line.unit_price,
            "discount_percent": line.discount_percent,
            "vat_rate": line.vat_rate,
        }
        for line in document.lines.all()
    ]


def allowances_initial(document: Document) -> list[dict[str, Any]]:
    return [
        {
            "is_charge": "1" if ac.is_charge else "0",
            "reason": ac.reason,
            "amount": None if ac.percent is not None else ac.amount,
            "percent": ac.percent,
            "vat_rate": ac.vat_rate,
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

"""Forms of the payments pages: filters, recording a payment, allocating it, reversing it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.parties.models import Customer
from facturier.payments.models import Method
from facturier.web.forms.documents import CustomerPicker
from facturier.web.forms.fields import LocalizedDecimalField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
STATES = (
    ("", _("All")),
    ("unallocated", _("With money left to allocate")),
    ("allocated", _("Fully allocated")),
    ("refund", _("Refunds")),
    ("reversed", _("Reversed")),
)


class PaymentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    state = forms.ChoiceField(label=_("State"), choices=STATES, required=False)
    method = forms.ChoiceField(label=_("Method"), choices=[("", _("All")), *Method.choices], required=False)
    received_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET)
    received_to = forms.DateField(label=_("To"), required=False, widget=DATE_WIDGET)


class PaymentCreateForm(forms.Form):
    customer = CustomerPicker(label=_("Customer"))  # a search, never a list of every customer (issue 9)
    amount = LocalizedDecimalField(
        label=_("Amount"), max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    received_on = forms.DateField(label=_("Received on"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.TRANSFER)
    reference = forms.CharField(label=_("Bank reference"), max_length=140, required=False)
    payer = forms.CharField(label=_("Payer"), max_length=200, required=False)

    def __init__(
        self, *args: Any, entity: LegalEntity, initial_customer: Customer | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Customer.objects.filter(entity=entity, is_active=True).order_by("name")
        if initial_customer is not None:
            self.initial["customer"] = initial_customer.pk
        self.fields["currency"].widget.attrs["placeholder"] = entity.default_currency

    def clean_currency(self) -> str:
        return str(self.cleaned_data.get("currency") or "").strip().upper()


class AllocateForm(forms.Form):
    target = forms.ChoiceField(label=_("Invoice"))
    amount = LocalizedDecimalField(
        label=_("Amount"), max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True
    )
    write_off_difference = forms.BooleanField(
        label=_("Write off the rest as an exchange difference"),
        required=False,
        help_text=_("Foreign-currency invoices only, at most 1 % of the amount due."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices  # type: ignore[attr-defined]


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class RefundForm(forms.Form):
    """Money given back to the customer: out of their credit, or on an invoice they overpaid."""

    source = forms.ChoiceField(label=_("Refund"))
    amount = LocalizedDecimalField(
        label=_("Amount"), max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True
    )
    refunded_on = forms.DateField(label=_("Refunded on"), widget=DATE_WIDGET)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices, initial=Method.TRANSFER)
    reference = forms.CharField(label=_("Bank reference"), max_length=140, required=False)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = choices  # type: ignore[attr-defined]


class OffsetForm(forms.Form):
    """A credit note applied to another invoice of the same customer; `other` is the side not in the URL."""

    other = forms.ChoiceField(label=_("Invoice"))
    amount = LocalizedDecimalField(
        label=_("Amount"), max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], other_label: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = choices  # type: ignore[attr-defined]
        self.fields["other"].label = other_label

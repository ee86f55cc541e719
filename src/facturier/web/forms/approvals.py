"""Forms of the approval rules and delegations page: plain fields, turned into the services' values."""

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.parties.models import Customer
from facturier.web.forms.documents import CustomerPicker

DOCUMENT_TYPES = [
    ("invoice", _("Invoices")),
    ("credit_note", _("Credit notes")),
    ("supplier_invoice", _("Supplier invoices")),
]
LEVELS = 3
PARTY_ROWS = 3
"""Customers a rule may name, each picked by searching (never a drop-down of every customer: issue 9)."""
ROLE_CHOICES = [(Role.ADMIN.value, Role.ADMIN.label), (Role.APPROVER.value, Role.APPROVER.label)]


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    priority = forms.IntegerField(label=_("Order"), initial=0)
    document_types = forms.MultipleChoiceField(
        label=_("Documents (none: all)"),
        choices=DOCUMENT_TYPES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    min_amount = forms.DecimalField(label=_("From amount (incl. VAT)"), required=False, min_value=Decimal(0))
    max_amount = forms.DecimalField(label=_("Below amount (incl. VAT)"), required=False, min_value=Decimal(0))
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False, initial="EUR")
    party1 = CustomerPicker(label=_("Customers (none: all)"), required=False)
    party2 = CustomerPicker(label=_("Customer %(n)s") % {"n": 2}, required=False)
    party3 = CustomerPicker(label=_("Customer %(n)s") % {"n": 3}, required=False)
    cost_centres = forms.CharField(label=_("Cost centres, comma-separated (none: all)"), required=False)
    countries = forms.CharField(label=_("Countries, comma-separated (none: all)"), required=False)
    projects = forms.CharField(label=_("Projects, comma-separated (none: all)"), required=False)
    exception = forms.BooleanField(
        label=_("Exception: replaces the other rules for these customers or projects"), required=False
    )
    remind_after_hours = forms.IntegerField(label=_("Remind after (hours)"), initial=24, min_value=1)
    escalate_after_hours = forms.IntegerField(label=_("Escalate after (hours)"), required=False, min_value=1)
    fallback_user = forms.ChoiceField(label=_("Fallback approver"), required=False, choices=[])

    def __init__(self, *args: Any, entity: LegalEntity, users: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        for index in range(1, PARTY_ROWS + 1):
            field = cast(CustomerPicker, self.fields[f"party{index}"])
            field.queryset = Customer.objects.filter(entity=entity)
        cast(forms.ChoiceField, self.fields["fallback_user"]).choices = [("", "—"), *users]
        for index in range(1, LEVELS + 1):
            required = index == 1
            self.fields[f"level{index}_label"] = forms.CharField(
                label=_("Level %(n)s: name") % {"n": index}, required=False, max_length=60
            )
            self.fields[f"level{index}_roles"] = forms.MultipleChoiceField(
                label=_("Level %(n)s: roles") % {"n": index}, choices=ROLE_CHOICES, required=False,
                widget=forms.CheckboxSelectMultiple,
            )  # fmt: skip
            self.fields[f"level{index}_users"] = forms.MultipleChoiceField(
                label=_("Level %(n)s: named approvers") % {"n": index}, choices=users, required=False
            )
            self.fields[f"level{index}_required"] = forms.IntegerField(
                label=_("Level %(n)s: approvals needed") % {"n": index}, min_value=1, initial=1,
                required=required,
            )  # fmt: skip

    def parties(self) -> list[str]:
        """The picked customers' ids, once each, in the order given."""
        picked = (self.cleaned_data.get(f"party{index}") for index in range(1, PARTY_ROWS + 1))
        return list(dict.fromkeys(str(customer.pk) for customer in picked if customer is not None))

    def level_groups(self) -> list[list[forms.BoundField]]:
        names = ("label", "roles", "users", "required")
        return [[self[f"level{i}_{name}"] for name in names] for i in range(1, LEVELS + 1)]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        levels = []
        for index in range(1, LEVELS + 1):
            roles, users = data.get(f"level{index}_roles") or [], data.get(f"level{index}_users") or []
            if roles or users:
                levels.append({"label": data.get(f"level{index}_label") or "", "roles": roles, "users": users,
                               "required": data.get(f"level{index}_required") or 1})  # fmt: skip
        return {
            "name": data["name"], "priority": data["priority"], "document_types": data["document_types"],
            "min_amount": data["min_amount"], "max_amount": data["max_amount"],
            "currency": (data["currency"] or "").upper(), "parties": self.parties(),
            "cost_centres": _codes(data["cost_centres"]), "countries": [c.upper() for c in _codes(data["countries"])], "projects": _codes(data["projects"]),
            "exception": data["exception"], "remind_after_hours": data["remind_after_hours"],
            "escalate_after_hours": data["escalate_after_hours"], "fallback_user_id": data["fallback_user"] or None,
            "levels": levels,
        }  # fmt: skip


class DelegationForm(forms.Form):
    user = forms.ChoiceField(label=_("Absent approver"), choices=[])
    delegate = forms.ChoiceField(label=_("Delegate"), choices=[])
    starts_on = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("To (included)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, users: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["user"]).choices = users
        cast(forms.ChoiceField, self.fields["delegate"]).choices = users


class DecisionForm(forms.Form):
    comment = forms.CharField(label=_("Comment (optional)"), required=False, max_length=1000,
                              widget=forms.TextInput)  # fmt: skip

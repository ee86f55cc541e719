"""Forms of the time and expenses pages: an entry, an expense with its receipt, a rate, the settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.parties.models import Customer
from facturier.projects.models import Project, ProjectStatus
from facturier.timesheets.models import ExpenseCategory
from facturier.web.forms.documents import CustomerPicker
from facturier.web.forms.fields import LocalizedDecimalField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _projects(entity: LegalEntity) -> Any:
    return Project.objects.filter(entity=entity, status=ProjectStatus.ACTIVE).select_related("customer")


class TimeEntryForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    hours = LocalizedDecimalField(label=_("Hours"), max_digits=6, decimal_places=2, min_value=Decimal("0.01"),
                                  max_value=Decimal(24), help_text=_("e.g. 1.5 for an hour and a half"))  # fmt: skip
    task = forms.CharField(label=_("Task"), max_length=100, required=False)
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(entity)  # type: ignore[attr-defined]


class ExpenseForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    category = forms.ChoiceField(label=_("Category"), choices=ExpenseCategory.choices)
    amount = LocalizedDecimalField(label=_("Amount excl. VAT"), max_digits=14, decimal_places=2,
                                   min_value=Decimal(0), amount=True)  # fmt: skip
    vat_amount = LocalizedDecimalField(label=_("VAT"), max_digits=14, decimal_places=2, min_value=Decimal(0),
                                       amount=True, initial=Decimal(0))  # fmt: skip
    description = forms.CharField(label=_("Description"), max_length=500, required=False)
    markup_percent = LocalizedDecimalField(
        label=_("Markup (%)"), max_digits=7, decimal_places=2, min_value=Decimal(0), required=False,
        help_text=_("Empty: the company's default markup; 0: re-invoiced at cost."),
    )  # fmt: skip
    billable = forms.BooleanField(label=_("Re-invoiced to the customer"), required=False, initial=True)
    receipt = forms.FileField(label=_("Receipt (PDF, JPEG or PNG)"), required=False)

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = _projects(entity)  # type: ignore[attr-defined]
        self.fields["receipt"].widget.attrs["accept"] = "application/pdf,image/jpeg,image/png"


class RateRuleForm(forms.Form):
    hourly_rate = LocalizedDecimalField(label=_("Hourly rate"), max_digits=14, decimal_places=2,
                                        min_value=Decimal(0), amount=True)  # fmt: skip
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False,
                                     empty_label=_("All projects"))  # fmt: skip
    customer = CustomerPicker(label=_("Customer"), required=False)  # a search (issue 9); empty: any customer
    person = forms.ModelChoiceField(label=_("Person"), queryset=get_user_model().objects.none(), required=False,
                                    empty_label=_("Anyone"))  # fmt: skip
    task = forms.CharField(label=_("Task"), max_length=100, required=False)
    role = forms.CharField(label=_("Role"), max_length=100, required=False)

    def __init__(self, *args: Any, entity: LegalEntity, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(entity=entity)  # type: ignore[attr-defined]
        self.fields["customer"].queryset = Customer.objects.filter(entity=entity)  # type: ignore[attr-defined]
        self.fields["customer"].widget.attrs["placeholder"] = _("Any customer")
        members = get_user_model().objects.filter(memberships__entity=entity).order_by("username")
        self.fields["person"].queryset = members  # type: ignore[attr-defined]


class TimesheetSettingsForm(forms.Form):
    rounding_minutes = forms.IntegerField(label=_("Rounding increment (minutes)"), min_value=1, max_value=1440,
                                          help_text=_("Each entry is billed rounded up to this increment."))  # fmt: skip
    expense_markup_percent = LocalizedDecimalField(label=_("Default expense markup (%)"), max_digits=7,
                                                   decimal_places=2, min_value=Decimal(0))  # fmt: skip


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

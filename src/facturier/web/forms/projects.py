"""Forms of the project pages: they shape the input; the projects services validate it (shares, triggers)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.common.errors import BusinessError
from facturier.parties.models import Customer
from facturier.projects.models import MilestoneKind, Project, Trigger
from facturier.web.error_messages import explain
from facturier.web.forms.documents import CustomerPicker
from facturier.web.forms.fields import LocalizedDecimalField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _percent(label: Any, required: bool = False) -> LocalizedDecimalField:
    return LocalizedDecimalField(label=label, max_digits=5, decimal_places=2, required=required,
                                 min_value=Decimal(0), max_value=Decimal(100))  # fmt: skip


class ServiceErrors(forms.Form):
    def attach(self, error: BusinessError) -> None:
        self.add_error(error.field if error.field in self.fields else None, explain(error))


class ProjectForm(ServiceErrors):
    reference = forms.CharField(label=_("Reference"), max_length=50)
    name = forms.CharField(label=_("Name"), max_length=200)
    customer = CustomerPicker(label=_("Customer"))  # a search, never a list of every customer (issue 9)
    start_date = forms.DateField(label=_("Signed on (start date)"), widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE_WIDGET)
    fixed_price = LocalizedDecimalField(label=_("Fixed price (excl. VAT)"), max_digits=14, decimal_places=2,
                                        required=False, min_value=Decimal(0), amount=True)  # fmt: skip
    deposit_percent = _percent(_("Deposit at signing (%)"))
    vat_rate = LocalizedDecimalField(
        label=_("VAT rate"), max_digits=5, decimal_places=2, initial=Decimal("20.00")
    )
    phases = forms.CharField(
        label=_("Phases (one per line)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, entity: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["customer"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = Customer.objects.filter(entity=entity, is_active=True).order_by("name")

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["phases"] = [line.strip() for line in (data.get("phases") or "").splitlines() if line.strip()]
        if data.get("deposit_percent") in (None, Decimal(0)):
            data["deposit_percent"] = None
        return data


class MilestoneForm(ServiceErrors):
    kind = forms.ChoiceField(label=_("Kind"), choices=MilestoneKind.choices, initial=MilestoneKind.INSTALMENT)
    label = forms.CharField(label=_("Label"), max_length=200)
    percent = _percent(_("Share (%)"))
    amount = LocalizedDecimalField(label=_("or amount (excl. VAT)"), max_digits=14, decimal_places=2,
                                   required=False, min_value=Decimal("0.01"), amount=True)  # fmt: skip
    trigger = forms.ChoiceField(label=_("Triggered by"), choices=Trigger.choices)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_WIDGET)
    progress_threshold = _percent(_("Progress reached (%)"))
    deliverable = forms.CharField(label=_("Deliverable"), max_length=200, required=False)
    phase = forms.ChoiceField(label=_("Phase"), required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["phase"].choices = [("", "—"), *((str(p.pk), p.name) for p in project.phases.all())]  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["phase"] = self.project.phases.filter(pk=data["phase"]).first() if data.get("phase") else None
        return data


class ProgressForm(ServiceErrors):
    percent = _percent(_("Progress (%)"), required=True)
    phase = forms.ChoiceField(label=_("Phase"), required=False)

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        phases = [("", _("Whole project")), *((str(p.pk), p.name) for p in project.phases.all())]
        self.fields["phase"].choices = phases  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any]:
        phase = self.cleaned_data.get("phase")
        return {"percent": self.cleaned_data["percent"],
                "phase": self.project.phases.filter(pk=phase).first() if phase else None}  # fmt: skip


class AcceptanceForm(ServiceErrors):
    milestone = forms.ChoiceField(label=_("Deliverable"))
    signed_by = forms.CharField(label=_("Signed for the customer by"), max_length=200)
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DATE_WIDGET)
    reservations = forms.CharField(label=_("Reservations (empty: none)"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip

    def __init__(self, *args: Any, project: Project, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["milestone"].choices = [  # type: ignore[attr-defined]
            (str(m.pk), f"{m.deliverable} ({m.label})")
            for m in project.milestones.filter(trigger=Trigger.ACCEPTANCE, reached_on__isnull=True)
        ]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["milestone"] = self.project.milestones.get(pk=data["milestone"])
        return data

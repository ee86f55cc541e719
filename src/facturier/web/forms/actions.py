"""Small forms behind the action buttons of a document page."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.payments.models import Method
from facturier.web.forms.fields import LocalizedDecimalField


class PaymentForm(forms.Form):
    amount = LocalizedDecimalField(
        label=_("Amount"), max_digits=20, decimal_places=2, min_value=Decimal("0.01"), amount=True
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label=_("Reference"), max_length=140, required=False)
    method = forms.ChoiceField(
        label=_("Method"), choices=Method.choices, initial=Method.TRANSFER, required=False
    )

    def clean_method(self) -> str:
        return str(self.cleaned_data.get("method") or Method.TRANSFER)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)


class RejectForm(forms.Form):
    """Why a submitted document goes back to draft: required, kept on it and in its history."""

    reason = forms.CharField(
        label=_("Comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        help_text=_("Say what to correct: the document goes back to draft with this comment."),
    )

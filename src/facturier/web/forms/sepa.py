"""Forms of the SEPA pages: a customer's mandate, the company's creditor identifier, a collection run."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.payments.mandates import Mandate, SepaCreditor
from facturier.web.forms.parties import ServiceForm


class MandateForm(ServiceForm):
    class Meta:
        model = Mandate
        fields = ("reference", "signed_on", "scheme", "one_off", "ends_on", "debtor_name", "iban", "bic")
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["debtor_name"].required = False
        self.fields["debtor_name"].help_text = _("Leave empty to use the customer's name.")


class CreditorForm(ServiceForm):
    class Meta:
        model = SepaCreditor
        fields = ("creditor_id", "pain008_version", "prenotification_days")


class CollectionRunForm(forms.Form):
    collection_date = forms.DateField(
        label=_("Collection date"), widget=forms.DateInput(attrs={"type": "date"})
    )

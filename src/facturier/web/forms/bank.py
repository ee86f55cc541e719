"""Forms of the bank pages: adding an account, uploading a statement."""

from django import forms
from django.utils.translation import gettext_lazy as _


class BankAccountForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, required=False,
                           help_text=_("For example: Main account, Savings."))  # fmt: skip
    iban = forms.CharField(label="IBAN", max_length=50, required=False)
    bic = forms.CharField(label="BIC", max_length=20, required=False)
    account_number = forms.CharField(label=_("Account number"), max_length=50, required=False,
                                     help_text=_("Only for a bank that gives no IBAN."))  # fmt: skip
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False, initial="EUR")


class StatementUploadForm(forms.Form):
    file = forms.FileField(label=_("Statement file"))
    account = forms.ChoiceField(label=_("Account"), required=False,
                                help_text=_("Only needed when the file does not name its account (CSV)."))  # fmt: skip

    def __init__(self, *args: object, accounts: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["account"].choices = [("", _("The account the file names")), *accounts]  # type: ignore[attr-defined]

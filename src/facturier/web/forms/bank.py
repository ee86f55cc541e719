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


class ReconciliationRulesForm(forms.Form):
    """The company's reconciliation rules as typed: checked by `banking.rules` only (the CLI's service), so
    the page and `facturier reconciliation rules` accept and refuse the same values."""

    fee_tolerance = forms.CharField(label=_("Bank fees tolerance"), max_length=30,
                                    help_text=_("A transfer short by at most this amount is settled, the difference booked as bank fees."))  # fmt: skip
    fee_account = forms.CharField(label=_("Bank fees account"), max_length=20,
                                  help_text=_("Account number, digits only (for example 627)."))  # fmt: skip
    writeoff_tolerance = forms.CharField(label=_("Write-off tolerance"), max_length=30,
                                         help_text=_("A difference up to this amount may be written off."))  # fmt: skip
    writeoff_account = forms.CharField(label=_("Write-off account"), max_length=20,
                                       help_text=_("Account number, digits only (for example 658)."))  # fmt: skip
    auto_threshold = forms.CharField(label=_("Confidence to reconcile automatically"), max_length=30,
                                     help_text=_("Between 0 and 1: a line scored at least this is reconciled without a clerk."))  # fmt: skip
    propose_threshold = forms.CharField(label=_("Confidence to propose a match"), max_length=30,
                                        help_text=_("Between 0 and 1, at most the automatic one: below it, the line is left unmatched."))  # fmt: skip
    max_items_in_sum = forms.CharField(label=_("Invoices paid by one transfer, at most"), max_length=5,
                                       help_text=_("Between 1 and 10."))  # fmt: skip

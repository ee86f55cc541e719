"""Two-factor forms: they shape what was typed; accounts.two_factor checks the codes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import TwoFactorPolicy

# What a phone keyboard and a password manager need: digits only, and "this is a one-time code".
TOTP_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "pattern": "[0-9 ]*",
    "maxlength": "7",
    "autofocus": True,
    "class": "code-input",
}


class TotpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=7,
        widget=forms.TextInput(attrs=TOTP_ATTRS),
        help_text=_("Six digits; a new code appears every 30 seconds."),
    )


class RecoveryCodeForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "code-input"}),
        help_text=_("One of the ten codes you saved when you set up two-factor authentication."),
    )


class ProofForm(forms.Form):
    """A code proving the second factor before a change to it: from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Code from your app, or a recovery code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class PolicyForm(forms.Form):
    two_factor_policy = forms.ChoiceField(
        label=_("Two-factor authentication"), choices=TwoFactorPolicy.choices
    )

"""The sign-in forms (staff UI and Django admin), guarded by accounts/login_guard.py: a locked account
name or blocked address is refused before the password is checked, each wrong password is counted, and
a right one clears the account's count."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm

from facturier.accounts.login_guard import LoginBlocked, SignInAttempt


class GuardedLoginMixin:
    """Wraps AuthenticationForm.clean: check the lock, then the password, then count the outcome."""

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # type: ignore[misc, no-any-return]
        attempt = SignInAttempt.of(self.request, username)
        try:
            attempt.check()
        except LoginBlocked as blocked:
            raise forms.ValidationError(blocked.message, code=blocked.code) from None
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError as error:
            if getattr(error, "code", None) == "invalid_login":
                blocked_now = attempt.failed()
                if blocked_now is not None:  # this failure locked: say so now, not at the next try
                    raise forms.ValidationError(blocked_now.message, code=blocked_now.code) from None
            raise
        attempt.succeeded()
        return cleaned


class LoginForm(GuardedLoginMixin, AuthenticationForm):
    pass


class AdminLoginForm(GuardedLoginMixin, AdminAuthenticationForm):
    pass

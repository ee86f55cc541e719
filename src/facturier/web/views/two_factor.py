"""The user's side of two-factor authentication: the code asked after the password, setting up an
authenticator app, and the account page (recovery codes, turning it off).

Recovery codes are shown once, in the answer to the request that created them, never stored in the
session nor cached (`never_cache`); only their count is shown afterwards.
"""

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from facturier.accounts import two_factor
from facturier.common.errors import BusinessError
from facturier.web.access import site_language_first
from facturier.web.forms.two_factor import ProofForm, RecoveryCodeForm, TotpCodeForm
from facturier.web.two_factor import is_verified, pending_step, step_url


def _next_url(request: HttpRequest) -> str:
    """Where to go once the step is done: a page of this site only, else the dashboard."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("web:dashboard")


def _wording(error: BusinessError) -> str:
    if error.code == "two_factor_throttled":
        until = timezone.localtime(error.extra["locked_until"])
        return _("Too many wrong codes: try again after %(time)s.") % {
            "time": formats.time_format(until, "H:i:s")
        }
    if error.code == "wrong_two_factor_code":
        return _("This code is not valid. Check the time on your phone, and type the newest code.")
    return error.message


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a recovery code."""
    site_language_first(request)
    next_url = _next_url(request)
    if is_verified(request):
        return redirect(next_url)
    if not two_factor.is_enrolled(request.user):
        if two_factor.is_required(request.user):
            return redirect(step_url("web:two-factor-setup", next_url))
        return redirect(next_url)
    totp_form, recovery_form = TotpCodeForm(), RecoveryCodeForm()
    if request.method == "POST":
        use_recovery = "recovery_code" in request.POST
        form: TotpCodeForm | RecoveryCodeForm = (
            RecoveryCodeForm(request.POST) if use_recovery else TotpCodeForm(request.POST)
        )
        if use_recovery:
            recovery_form = form  # type: ignore[assignment]
        else:
            totp_form = form  # type: ignore[assignment]
        if form.is_valid():
            field = "recovery_code" if use_recovery else "code"
            try:
                check = two_factor.require_code(user=request.user, code=form.cleaned_data[field])
            except BusinessError as error:
                form.add_error(field, _wording(error))
            else:
                request.session.cycle_key()
                otp_login(request, check.device)
                if isinstance(check.device, StaticDevice):
                    _recovery_code_used(request)
                return redirect(next_url)
    return render(
        request,
        "web/two_factor/verify.html",
        {"form": totp_form, "recovery_form": recovery_form, "next": next_url,
         "show_recovery": bool(recovery_form.is_bound)},
    )  # fmt: skip


def _recovery_code_used(request: HttpRequest) -> None:
    left = two_factor.recovery_codes_left(request.user)
    messages.warning(
        request,
        _("You signed in with a recovery code; %(count)s left. Generate new ones from your account page.")
        % {"count": left},
    )


def _qr_data_uri(config_url: str) -> str:
    """The otpauth:// address as an SVG QR code in a data: URI (the policy's img-src allows data:)."""
    return str(segno.make(config_url, error="m").svg_data_uri(scale=5, border=2))


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator: scan (or type) the key, confirm with a first code, get recovery codes."""
    site_language_first(request)
    next_url = _next_url(request)
    if two_factor.is_enrolled(request.user):
        if not is_verified(request):
            return redirect(step_url("web:two-factor-verify", next_url))
        return redirect("web:two-factor-account")
    device = two_factor.totp_enrollment_start(user=request.user)
    form = TotpCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = two_factor.totp_enrollment_confirm(
                user=request.user, device=device, code=form.cleaned_data["code"]
            )
        except BusinessError as error:
            form.add_error("code", _wording(error))
        else:
            request.session.cycle_key()
            otp_login(request, two_factor.totp_device(request.user))
            return _show_codes(request, codes, next_url, first_time=True)
    return render(
        request,
        "web/two_factor/setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret": two_factor.format_secret(device),
            "next": next_url,
            "required_by": two_factor.entities_requiring(request.user),
            "gate": pending_step(request) is not None,
        },
    )


def _show_codes(request: HttpRequest, codes: list[str], next_url: str, *, first_time: bool) -> HttpResponse:
    context: dict[str, Any] = {"codes": codes, "next": next_url, "first_time": first_time}
    return render(request, "web/two_factor/codes.html", context)


@never_cache
@login_required
def two_factor_account(request: HttpRequest) -> HttpResponse:
    """The user's two-factor page: status, new recovery codes, turning it off."""
    site_language_first(request)
    return _account_page(request)


def _account_page(request: HttpRequest, *, status: int = 200, **forms: Any) -> HttpResponse:
    device = two_factor.totp_device(request.user)
    for form in forms.values():  # a code refused: the focus goes back to it, under its error
        form.fields["code"].widget.attrs["autofocus"] = True
    return render(
        request,
        "web/two_factor/account.html",
        {
            "device": device,
            "codes_left": two_factor.recovery_codes_left(request.user) if device else 0,
            "required_by": two_factor.entities_requiring(request.user),
            "regenerate_form": forms.get("regenerate_form") or ProofForm(prefix="regenerate"),
            "disable_form": forms.get("disable_form") or ProofForm(prefix="disable"),
        },
        status=status,
    )


@never_cache
@require_POST
@login_required
def two_factor_regenerate(request: HttpRequest) -> HttpResponse:
    site_language_first(request)
    form = ProofForm(request.POST, prefix="regenerate")
    if form.is_valid():
        try:
            codes = two_factor.recovery_codes_regenerate(user=request.user, code=form.cleaned_data["code"])
        except BusinessError as error:
            form.add_error("code", _wording(error))
        else:
            return _show_codes(request, codes, reverse("web:two-factor-account"), first_time=False)
    return _account_page(request, status=422, regenerate_form=form)


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    site_language_first(request)
    form = ProofForm(request.POST, prefix="disable")
    if form.is_valid():
        try:
            two_factor.two_factor_disable(user=request.user, code=form.cleaned_data["code"])
        except BusinessError as error:
            form.add_error("code", _wording(error))
        else:
            if two_factor.is_required(request.user):
                messages.warning(
                    request, _("Your company requires two-factor authentication: set it up again now.")
                )
                return redirect("web:two-factor-setup")
            messages.success(request, _("Two-factor authentication is turned off."))
            return redirect("web:two-factor-account")
    return _account_page(request, status=422, disable_form=form)

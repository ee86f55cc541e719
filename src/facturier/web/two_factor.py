"""The second sign-in step, enforced on every request of the staff UI (and the Django admin).

A password opens a session; until that session is verified with a code (django-otp's `is_verified`), a
user who has an authenticator, or whom a company's policy requires to have one, reaches only the code
page, the enrollment page, sign-out and the language switch. Everything else redirects there, keeping
where they were going. The REST API is not concerned: it authenticates API keys, never sessions.
"""

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from facturier.accounts import two_factor
from facturier.web.access import memberships_of

OPEN_URL_NAMES = frozenset({"web:two-factor-verify", "web:two-factor-setup", "web:logout", "set_language"})
OPEN_PREFIXES = ("/api/",)


def is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def pending_step(request: HttpRequest) -> str | None:
    """The page the signed-in user must go through before any other: code, enrollment, or none."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    # what `two_factor.is_enrolled` and `is_required` say, from the memberships the page reads anyway
    memberships = memberships_of(request)
    enrolled = memberships[0].enrolled if memberships else two_factor.is_enrolled(user)  # type: ignore[attr-defined]
    if enrolled:
        return "web:two-factor-verify"
    if any(two_factor.policy_requires(m.entity.two_factor_policy, m.role) for m in memberships):
        return "web:two-factor-setup"
    return None


def step_url(step: str, next_url: str) -> str:
    return f"{reverse(step)}?{urlencode({'next': next_url})}" if next_url else reverse(step)


def after_password(request: HttpRequest, next_url: str) -> str:
    """Where the login view sends a user whose password was right: their second step, else `next_url`."""
    step = pending_step(request)
    return step_url(step, next_url) if step else next_url


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(OPEN_PREFIXES):
            return self.get_response(request)  # the API: no need to read the session's user
        step = pending_step(request)
        if step is not None and not self._open(request.path_info):
            wanted = request.get_full_path() if request.method == "GET" else ""
            return redirect(step_url(step, wanted))
        return self.get_response(request)

    @staticmethod
    def _open(path: str) -> bool:
        static = "/" + settings.STATIC_URL.lstrip("/")
        if path.startswith((*OPEN_PREFIXES, static)):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in OPEN_URL_NAMES

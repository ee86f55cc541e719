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

OPEN_URL_NAMES = frozenset({"web:two-factor-verify", "web:two-factor-setup", "web:logout", "set_language"})
OPEN_PREFIXES = ("/api/",)


def is_verified(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_verified", lambda: False)())


def pending_step(request: HttpRequest) -> str | None:
    """The page the signed-in user must go through before any other: code, enrollment, or none."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    if two_factor.is_enrolled(user):
        return "web:two-factor-verify"
    if two_factor.is_required(user):
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

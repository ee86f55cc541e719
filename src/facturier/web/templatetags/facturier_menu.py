"""The main menu of every staff page (web/base.html), kept per language, role and state; the user menu's
static part likewise.

Its twelve links were reversed and its labels translated on every page, about 1.5 ms of CPU per request
(issue 9). What it shows depends only on the language, whether the role approves and manages the
company, which entry is the current page, and the "To approve" count: the HTML written by
`web/includes/main_menu.html` for those is kept (a bounded cache; never with DEBUG on, where templates
are edited) and written again as is. `tests/web/test_main_menu.py` compares it with the template.
"""

import functools
from typing import Any

from django import template
from django.conf import settings
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

# Which state of the menu a page shows (the template's former conditions on `request.path`).
_PAYMENT_AREAS = ("/payments/", "/bank/", "/sepa/")


@register.simple_tag(takes_context=True)
def main_menu(context: template.Context) -> SafeString:
    request = context.get("request")
    can = context.get("can") or {}
    approve, manage = bool(can.get("approve")), bool(can.get("manage_entity"))
    prefix = f"{get_script_prefix()} {get_urlconf() or settings.ROOT_URLCONF}"  # what `reverse` reads
    dashboard, approvals, payments = _urls(prefix)
    path = request.path if request is not None else ""
    waiting = context.get("approvals_waiting", 0) if approve else 0
    state = (
        prefix,
        get_language() or "",
        approve,
        manage,
        path == dashboard,
        approve and path == approvals,
        "page" if path == payments else "true" if any(area in path for area in _PAYMENT_AREAS) else "",
        int(waiting() if callable(waiting) else waiting or 0),
    )
    return _render(*state) if settings.DEBUG else _kept(*state)


@functools.lru_cache(maxsize=8)
def _urls(_prefix_and_urlconf: str) -> tuple[str, str, str]:
    return reverse("web:dashboard"), reverse("web:approval-list"), reverse("web:payment-list")


@functools.lru_cache(maxsize=512)
def _kept(*state: Any) -> SafeString:
    return _render(*state)


def _render(
    _prefix: str,
    _language: str,
    approve: bool,
    manage: bool,
    dashboard_current: bool,
    approvals_current: bool,
    payments_current: str,
    waiting: int,
) -> SafeString:
    html = get_template("web/includes/main_menu.html").render(
        {
            "approve": approve,
            "manage": manage,
            "dashboard_current": dashboard_current,
            "approvals_current": approvals_current,
            "payments_current": payments_current,
            "waiting": waiting,
        }
    )
    return mark_safe(html)  # noqa: S308 - written by the template, which escapes


@register.simple_tag
def language_buttons() -> SafeString:
    """The language switcher's buttons (web/base.html's user menu): the same for every page in a language."""
    return (
        _render_part("language_buttons", get_language() or "")
        if settings.DEBUG
        else _kept_part("language_buttons", get_language() or "")
    )


@register.simple_tag(takes_context=True)
def user_menu_links(context: template.Context) -> SafeString:
    """The user menu's links (web/base.html): the same for every page in a language and a role that does
    or does not manage the company."""
    can = context.get("can") or {}
    state = (get_language() or "", bool(can.get("manage_entity")))
    return (
        _render_part("user_menu_links", *state) if settings.DEBUG else _kept_part("user_menu_links", *state)
    )


def _kept_part(name: str, language: str, manage: bool = False) -> SafeString:
    return _kept_parts(
        f"{get_script_prefix()} {get_urlconf() or settings.ROOT_URLCONF}", name, language, manage
    )


@functools.lru_cache(maxsize=64)
def _kept_parts(_prefix: str, name: str, language: str, manage: bool) -> SafeString:
    return _render_part(name, language, manage)


def _render_part(name: str, _language: str, manage: bool = False) -> SafeString:
    html = get_template(f"web/includes/{name}.html").render({"manage": manage})
    return mark_safe(html)  # noqa: S308 - written by the template, which escapes

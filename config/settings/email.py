"""Email configuration from `EMAIL_URL`: the one place its URL is read.

Schemes (the README's Configuration table lists them too):

- ``smtp://user:password@host:port`` — plain SMTP (port 25 by default); add ``?tls=1`` for STARTTLS
- ``smtp+tls://…`` (or ``submission://``) — SMTP with STARTTLS, port 587 by default
- ``smtp+ssl://…`` (or ``smtps://``) — SMTP over TLS from the first byte, port 465 by default
- ``console://`` — print messages on the server's standard output instead of sending them (development)
- ``memory://`` — keep messages in memory (Django's locmem backend: the test suite)

``?timeout=N`` (seconds) bounds every SMTP exchange (default 20). User and password are
percent-decoded, so an ``@`` in a password is written ``%40``. An unset or empty ``EMAIL_URL`` means
no email is sent at all: sending an invoice by email is refused at once, naming this variable.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

SMTP = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
SMTP_SCHEMES = {  # scheme -> (STARTTLS, implicit TLS, default port)
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtp+ssl": (False, True, 465),
    "smtps": (False, True, 465),
}
TRUE = {"1", "true", "yes", "on"}


def email_settings(url: str) -> dict[str, Any]:
    """Django's ``EMAIL_*`` settings for ``url`` (empty dict when it is empty: nothing configured).

    Raises ImproperlyConfigured for a scheme outside the list above, so a typo stops the server at
    start-up instead of failing every sending later.
    """
    if not url:
        return {}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    if scheme in BACKENDS:
        return {"EMAIL_BACKEND": BACKENDS[scheme]}
    if scheme not in SMTP_SCHEMES:
        known = ", ".join(f"{name}://" for name in [*SMTP_SCHEMES, *BACKENDS])
        raise ImproperlyConfigured(f"EMAIL_URL: unknown scheme {parts.scheme!r}; use one of {known}")
    starttls, implicit_tls, default_port = SMTP_SCHEMES[scheme]
    starttls = starttls or query.get("tls", "").lower() in TRUE
    implicit_tls = implicit_tls or query.get("ssl", "").lower() in TRUE
    if starttls and implicit_tls:
        raise ImproperlyConfigured("EMAIL_URL: STARTTLS and implicit TLS exclude each other")
    try:
        port, timeout = parts.port or default_port, float(query.get("timeout", 20))
    except ValueError as exc:
        raise ImproperlyConfigured(f"EMAIL_URL: {exc}") from exc
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": implicit_tls,
        "EMAIL_TIMEOUT": timeout,
    }


def connection_options(url: str) -> tuple[str, dict[str, Any]]:
    """The backend path and its keyword arguments (``host``, ``port``...) for ``get_connection``."""
    values = email_settings(url)
    backend = values.pop("EMAIL_BACKEND", SMTP)
    names = {"EMAIL_HOST_USER": "username", "EMAIL_HOST_PASSWORD": "password"}  # noqa: S105 - names
    return backend, {
        names.get(key, key.removeprefix("EMAIL_").lower()): value for key, value in values.items()
    }

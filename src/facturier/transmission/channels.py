"""Build the configured channel objects from settings (and the environment, for deployments).

Email is configured by ``EMAIL_URL`` and ``DEFAULT_FROM_EMAIL`` (config/settings). For Chorus Pro and
the platform, ``FACTURIER_TRANSMISSION`` (a dict per channel) wins over the environment variables
named below, and a company's own account stored in the database (``transmission.credentials``,
encrypted) wins over both; the per-SIREN environment accounts remain a fallback. ``check_configured`` refuses a sending at once when a setting is missing; a channel
found unconfigured later, when used, raises a ``ChannelError`` coded ``channel_not_configured``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import global_settings, settings
from django.utils.translation import gettext as _

from facturier.accounts.credentials import sirens_with_credentials, stored_credentials
from facturier.transmission.base import Channel, ChannelError
from facturier.transmission.chorus_pro.channel import ChorusProChannel, ChorusProConfig
from facturier.transmission.email.channel import EmailChannel, EmailConfig
from facturier.transmission.errors import ChannelNotConfigured
from facturier.transmission.httpclient import HttpPolicy
from facturier.transmission.models import ChannelName
from facturier.transmission.pdp.channel import PdpChannel, PdpConfig

ENVIRONMENT = {
    "email": {"url": "EMAIL_URL", "from_email": "DEFAULT_FROM_EMAIL"},
    "chorus_pro": {
        "api_url": "CHORUS_PRO_API_URL",
        "token_url": "CHORUS_PRO_TOKEN_URL",
        "client_id": "CHORUS_PRO_CLIENT_ID",
        "client_secret": "CHORUS_PRO_CLIENT_SECRET",
        "login": "CHORUS_PRO_LOGIN",
        "password": "CHORUS_PRO_PASSWORD",
    },
    "pdp": {
        "api_url": "PDP_API_URL",
        "token_url": "PDP_TOKEN_URL",
        "client_id": "PDP_CLIENT_ID",
        "client_secret": "PDP_CLIENT_SECRET",
        "token": "PDP_TOKEN",
        "organization_id": "PDP_ORGANIZATION_ID",
        "webhook_key": "PDP_WEBHOOK_KEY",
    },
}


ACCOUNTS_ENVIRONMENT = {"chorus_pro": "CHORUS_PRO_ACCOUNTS", "pdp": "PDP_ACCOUNTS"}
"""JSON objects ``{"<SIREN>": {"login": ..., "password": ...}}``: one account per legal entity."""


def accounts(name: str) -> dict[str, dict[str, Any]]:
    """Per-entity overrides of a channel's settings, keyed by the entity's SIREN: the legacy environment
    and settings accounts, then the accounts stored (encrypted) in the database, which win."""
    found = _legacy_accounts(name)
    for siren in sirens_with_credentials(name):
        found[siren] = {**found.get(siren, {}), **stored_credentials(name, siren=siren)}
    return found


def _legacy_accounts(name: str) -> dict[str, dict[str, Any]]:
    configured: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {}).get(name, {})
    raw = os.environ.get(ACCOUNTS_ENVIRONMENT.get(name, ""), "")
    try:
        from_env = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise ChannelError(f"{ACCOUNTS_ENVIRONMENT[name]} is not valid JSON") from exc
    merged = {**from_env, **(configured.get("accounts") or {})}
    return {str(siren): dict(values) for siren, values in merged.items() if isinstance(values, dict)}


def channel_settings(name: str, siren: str = "", *, entity: Any | None = None) -> dict[str, Any]:
    """The channel's settings for one entity: its stored account, else its environment account (by
    SIREN), over the installation's."""
    configured: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {}).get(name, {})
    from_env = {key: os.environ.get(var, "") for key, var in ENVIRONMENT.get(name, {}).items()}
    values = {**from_env, **{k: v for k, v in configured.items() if k != "accounts"}}
    if siren:
        values.update(_legacy_accounts(name).get(siren, {}))
    if siren or entity is not None:
        values.update(stored_credentials(name, entity=entity, siren=siren))
    return values


def http_policy() -> HttpPolicy:
    options: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {})
    return HttpPolicy(
        timeout=float(options.get("timeout", 20)),
        retries=int(options.get("retries", 2)),
        backoff=float(options.get("backoff", 0.5)),
    )


ADAPTERS: dict[str, Any] = {"email": EmailChannel, "chorus_pro": ChorusProChannel, "pdp": PdpChannel}
"""Channel name -> adapter class; each has ``missing_settings(values)``, the one check of its setup."""


def email_sender(entity: Any | None) -> str:
    """``DEFAULT_FROM_EMAIL`` when the installation set one, else the company's own address."""
    configured = str(settings.DEFAULT_FROM_EMAIL or "")
    if configured and configured != global_settings.DEFAULT_FROM_EMAIL:
        return configured
    return str(getattr(entity, "email", "") or "")


def _values(name: str, siren: str, entity: Any | None) -> dict[str, Any]:
    if name == "email":
        return {"url": settings.EMAIL_URL, "from_email": email_sender(entity)}
    return channel_settings(name, siren or str(getattr(entity, "siren", "") or ""), entity=entity)


def _missing(name: str, values: dict[str, Any]) -> list[str]:
    """The environment variables to set for ``name`` to work with ``values`` (empty: it is ready)."""
    if name not in ADAPTERS:
        raise ChannelError(f"Unknown transmission channel {name!r}")
    names = ENVIRONMENT[name]
    return [names.get(key, key) for key in ADAPTERS[name].missing_settings(values)]


def _refusal(name: str, missing: list[str]) -> str:
    """Why the channel cannot be used and what to set, in the user's language."""
    if name == "email" and "EMAIL_URL" in missing:
        return _("Sending by email is not configured: set EMAIL_URL (see the README).")
    if name == "email":
        return _(
            "Sending by email has no sender address: set DEFAULT_FROM_EMAIL, or the company's email "
            "address in its settings."
        )
    return _("%(channel)s is not configured: set %(settings)s (see the README).") % {
        "channel": dict(ChannelName.choices).get(name, name),
        "settings": ", ".join(missing),
    }


def check_configured(name: str, *, entity: Any | None = None, siren: str = "") -> None:
    """Refuse at once (ChannelNotConfigured, a 422) when channel ``name`` lacks a setting for ``entity``.

    Called by ``transmission_request`` before anything is queued, so the web page, the API and
    ``facturier transmit`` all give the same answer, naming what to configure.
    """
    missing = _missing(name, _values(name, siren, entity))
    if missing:
        raise ChannelNotConfigured(_refusal(name, missing), channel=name, missing=missing)


def get_channel(name: str, siren: str = "", *, entity: Any | None = None) -> Channel:
    """The channel as configured for the entity with this SIREN (or the installation's account).

    Raises ChannelError (code ``channel_not_configured``) when a setting is missing: by the time a
    worker runs, the configuration may have changed since the request was accepted.
    """
    values = _values(name, siren, entity)
    missing = _missing(name, values)
    if missing:
        title = {"email": "Email", "chorus_pro": "Chorus Pro", "pdp": "Pdp"}[name]
        raise ChannelError(
            f"{title} is not configured: set {', '.join(missing)}", code="channel_not_configured"
        )
    if name == "email":
        return EmailChannel(EmailConfig(from_email=values["from_email"], url=values["url"]))
    if name == "chorus_pro":
        user_id = values.get("user_id")
        return ChorusProChannel(
            ChorusProConfig(
                api_url=values["api_url"], token_url=values["token_url"], client_id=values["client_id"],
                client_secret=values["client_secret"], login=values["login"], password=values["password"],
                user_id=int(user_id) if user_id else None, policy=http_policy(),
            )
        )  # fmt: skip
    return PdpChannel(
        PdpConfig(
            api_url=values["api_url"], token_url=values.get("token_url", ""),
            client_id=values.get("client_id", ""), client_secret=values.get("client_secret", ""),
            token=values.get("token", ""), organization_id=values.get("organization_id", ""),
            policy=http_policy(),
        )
    )  # fmt: skip

"""Build the configured channel objects from settings (and the environment, for deployments).

``FACTURIER_TRANSMISSION`` (a dict per channel) wins over the environment variables named below;
a channel whose endpoint is not configured raises a clear ``ChannelError`` when used.
"""

from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings

from facturier.transmission.base import Channel, ChannelError
from facturier.transmission.chorus_pro.channel import ChorusProChannel, ChorusProConfig
from facturier.transmission.email.channel import EmailChannel, EmailConfig
from facturier.transmission.httpclient import HttpPolicy
from facturier.transmission.pdp.channel import PdpChannel, PdpConfig

ENVIRONMENT = {
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
    """Per-entity overrides of a channel's settings, keyed by the entity's SIREN."""
    configured: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {}).get(name, {})
    raw = os.environ.get(ACCOUNTS_ENVIRONMENT.get(name, ""), "")
    try:
        from_env = json.loads(raw) if raw else {}
    except ValueError as exc:
        raise ChannelError(f"{ACCOUNTS_ENVIRONMENT[name]} is not valid JSON") from exc
    merged = {**from_env, **(configured.get("accounts") or {})}
    return {str(siren): dict(values) for siren, values in merged.items() if isinstance(values, dict)}


def channel_settings(name: str, siren: str = "") -> dict[str, Any]:
    """The channel's settings for one entity: its own account (by SIREN) over the installation's."""
    configured: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {}).get(name, {})
    from_env = {key: os.environ.get(var, "") for key, var in ENVIRONMENT.get(name, {}).items()}
    values = {**from_env, **{k: v for k, v in configured.items() if k != "accounts"}}
    if siren:
        values.update(accounts(name).get(siren, {}))
    return values


def http_policy() -> HttpPolicy:
    options: dict[str, Any] = getattr(settings, "FACTURIER_TRANSMISSION", {})
    return HttpPolicy(
        timeout=float(options.get("timeout", 20)),
        retries=int(options.get("retries", 2)),
        backoff=float(options.get("backoff", 0.5)),
    )


def _require(name: str, values: dict[str, Any], *keys: str) -> None:
    missing = [ENVIRONMENT[name].get(key, key) for key in keys if not values.get(key)]
    if missing:
        raise ChannelError(f"{name.replace('_', ' ').title()} is not configured: set {', '.join(missing)}")


def get_channel(name: str, siren: str = "") -> Channel:
    """The channel as configured for the entity with this SIREN (or the installation's account)."""
    if name == "email":
        options = channel_settings("email")
        return EmailChannel(
            EmailConfig(
                from_email=options.get("from_email") or settings.DEFAULT_FROM_EMAIL,
                url=options.get("url")
                or getattr(settings, "EMAIL_URL", "")
                or os.environ.get("EMAIL_URL", ""),
                timeout=http_policy().timeout,
            )
        )
    if name == "chorus_pro":
        values = channel_settings(name, siren)
        _require(name, values, "api_url", "token_url", "client_id", "client_secret", "login", "password")
        user_id = values.get("user_id")
        return ChorusProChannel(
            ChorusProConfig(
                api_url=values["api_url"], token_url=values["token_url"], client_id=values["client_id"],
                client_secret=values["client_secret"], login=values["login"], password=values["password"],
                user_id=int(user_id) if user_id else None, policy=http_policy(),
            )
        )  # fmt: skip
    if name == "pdp":
        values = channel_settings(name, siren)
        _require(name, values, "api_url")
        if not (values.get("token") or values.get("token_url")):
            raise ChannelError(
                "Pdp is not configured: set PDP_TOKEN or PDP_TOKEN_URL with the client id/secret"
            )
        return PdpChannel(
            PdpConfig(
                api_url=values["api_url"], token_url=values.get("token_url", ""),
                client_id=values.get("client_id", ""), client_secret=values.get("client_secret", ""),
                token=values.get("token", ""), organization_id=values.get("organization_id", ""),
                policy=http_policy(),
            )
        )  # fmt: skip
    raise ChannelError(f"Unknown transmission channel {name!r}")

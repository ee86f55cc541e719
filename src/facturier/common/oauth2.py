"""OAuth2 client-credentials tokens for outbound integrations (PISTE for Chorus Pro, a platform's token endpoint)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from facturier.common.http import HttpPolicy, OutboundError, request

_TOKENS: dict[tuple[str, str, str], tuple[str, float]] = {}
"""Tokens per (token URL, client id, scope), shared by every channel object of the process."""
_LOCK = threading.Lock()


@dataclass
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""
    policy: HttpPolicy = HttpPolicy()
    error: type[OutboundError] = OutboundError

    @property
    def _key(self) -> tuple[str, str, str]:
        return (self.token_url, self.client_id, self.scope)

    def token(self, session: requests.Session) -> str:
        """A valid access token, fetched again a minute before the previous one expires."""
        with _LOCK:
            cached, expires = _TOKENS.get(self._key, ("", 0.0))
            if cached and time.monotonic() < expires:
                return cached
            form = {"grant_type": "client_credentials", "client_id": self.client_id,
                    "client_secret": self.client_secret}  # fmt: skip
            if self.scope:
                form["scope"] = self.scope
            response = request(session, "POST", self.token_url, operation="OAuth2 token", policy=self.policy,
                               data=form, error=self.error)  # fmt: skip
            try:
                data = response.json()
                token = str(data["access_token"])
                lifetime = float(data.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError) as exc:
                raise self.error("OAuth2 token: the answer has no access_token") from exc
            if not token:
                raise self.error("OAuth2 token: the answer has an empty access_token")
            _TOKENS[self._key] = (token, time.monotonic() + max(lifetime - 60, 0))
            return token

    def forget(self) -> None:
        """Drop the cached token (the server said it is no longer valid)."""
        with _LOCK:
            _TOKENS.pop(self._key, None)

"""OAuth2 client-credentials tokens (PISTE for Chorus Pro, the platform's token endpoint for a PDP)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

from facturier.transmission.base import ChannelError
from facturier.transmission.httpclient import HttpPolicy, request


@dataclass
class ClientCredentials:
    token_url: str
    client_id: str
    client_secret: str
    scope: str = ""
    policy: HttpPolicy = HttpPolicy()

    def __post_init__(self) -> None:
        self._token = ""
        self._expires = 0.0
        self._lock = threading.Lock()

    def token(self, session: requests.Session) -> str:
        """A valid access token, fetched again a minute before the previous one expires."""
        with self._lock:
            if self._token and time.monotonic() < self._expires:
                return self._token
            form = {"grant_type": "client_credentials", "client_id": self.client_id,
                    "client_secret": self.client_secret}  # fmt: skip
            if self.scope:
                form["scope"] = self.scope
            response = request(session, "POST", self.token_url, operation="OAuth2 token", policy=self.policy,
                               data=form)  # fmt: skip
            try:
                data = response.json()
                token = str(data["access_token"])
                lifetime = float(data.get("expires_in", 3600))
            except (ValueError, KeyError, TypeError) as exc:
                raise ChannelError("OAuth2 token: the answer has no access_token") from exc
            if not token:
                raise ChannelError("OAuth2 token: the answer has an empty access_token")
            self._token, self._expires = token, time.monotonic() + max(lifetime - 60, 0)
            return token

    def forget(self) -> None:
        """Drop the cached token (the server said it is no longer valid)."""
        with self._lock:
            self._token, self._expires = "", 0.0

"""HTTP calls to remote channels: bounded timeouts, a few retries on transient failures, clear errors.

Transient = the connection failed or timed out, or the server answered 429/502/503/504. Anything
else (4xx) is the request's fault and is not retried. Error messages name the operation and the
server's own error code, never the credentials.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from facturier.transmission.base import ChannelError

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 0.5


def _server_error(response: requests.Response) -> str:
    """The server's own error code and message when it sent JSON (AFNOR ``errorCode``, Chorus ``libelle``)."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(data, dict):
        parts = [str(data.get(k)) for k in ("errorCode", "codeRetour", "error", "errorMessage", "libelle",
                                             "error_description") if data.get(k) not in (None, "")]  # fmt: skip
        return " - ".join(parts)[:300]
    return str(data)[:200]


def _connection_failure(exc: requests.ConnectionError) -> str:
    """``connection_refused`` when nothing listens there (the usual misconfiguration), else ``network_error``."""
    return "connection_refused" if "refused" in str(exc).lower() else "network_error"


def _status_failure(status: int) -> str:
    if status in (401, 403):
        return "authentication_failed"
    return "remote_error" if status >= 500 else "remote_refused"


def request(
    session: requests.Session,
    method: str,
    url: str,
    *,
    operation: str,
    policy: HttpPolicy,
    headers: Mapping[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Send one request with retries; return a 2xx response or raise ChannelError."""
    last: ChannelError | None = None
    for attempt in range(policy.retries + 1):
        if attempt:
            time.sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            response = session.request(
                method, url, headers=dict(headers or {}), timeout=policy.timeout, **kwargs
            )
        except requests.Timeout:
            last = ChannelError(
                f"{operation}: no answer within {policy.timeout:g} s", retryable=True, code="timeout"
            )
            continue
        except requests.ConnectionError as exc:
            last = ChannelError(f"{operation}: cannot connect ({exc.__class__.__name__})", retryable=True,
                                code=_connection_failure(exc))  # fmt: skip
            continue
        if response.status_code < 400:
            return response
        message = f"{operation}: HTTP {response.status_code} {_server_error(response)}".rstrip()
        code = _status_failure(response.status_code)
        if response.status_code in TRANSIENT_STATUSES:
            last = ChannelError(message, retryable=True, status=response.status_code, code=code)
            continue
        raise ChannelError(message, retryable=False, status=response.status_code, code=code)
    assert last is not None
    raise last

"""Outbound HTTP for every integration: bounded timeouts, retries with backoff, a size limit, clear errors.

Transient = the connection failed or timed out, or the server answered 429/500/502/503/504. Anything
else (4xx) is the request's fault and is not retried. Error messages name the operation and the
server's own error code, never the credentials. An answer larger than ``HttpPolicy.max_bytes`` is
refused without being read whole (a misbehaving server cannot fill the worker's memory). Callers
pick the exception class (``error=``): transmission raises its ``ChannelError``, a subclass.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class OutboundError(Exception):
    """A remote call failed. ``retryable``: a later attempt may succeed; ``code`` names the kind of failure."""

    def __init__(
        self, message: str, *, retryable: bool = False, status: int | None = None, code: str = "channel_error"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status = status
        self.code = code


@dataclass(frozen=True)
class HttpPolicy:
    timeout: float = 20.0
    retries: int = 2
    backoff: float = 0.5
    max_bytes: int = DEFAULT_MAX_BYTES


def _read_bounded(
    response: requests.Response, *, operation: str, limit: int, error: type[OutboundError]
) -> None:
    """Load the body of a streamed answer, refusing it beyond ``limit`` bytes (then closed, not read)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise error(
            f"{operation}: answer of {declared} bytes over the {limit} bytes limit", code="response_too_large"
        )
    body = response.raw.read(limit + 1, decode_content=True)
    response.close()
    if len(body) > limit:
        raise error(f"{operation}: answer over the {limit} bytes limit", code="response_too_large")
    response._content = body  # what `.content`, `.text` and `.json()` read from now on


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
    error: type[OutboundError] = OutboundError,
    **kwargs: Any,
) -> requests.Response:
    """Send one request with retries; return a 2xx response or raise ``error``.

    With ``stream=True`` the caller reads the body itself (and bounds it); otherwise it is read here,
    within ``policy.max_bytes``.
    """
    streamed_by_caller = bool(kwargs.pop("stream", False))
    last: OutboundError | None = None
    for attempt in range(policy.retries + 1):
        if attempt:
            time.sleep(policy.backoff * 2 ** (attempt - 1))
        try:
            response = session.request(
                method, url, headers=dict(headers or {}), timeout=policy.timeout, stream=True, **kwargs
            )
        except requests.Timeout:
            last = error(
                f"{operation}: no answer within {policy.timeout:g} s", retryable=True, code="timeout"
            )
            continue
        except requests.ConnectionError as exc:
            last = error(f"{operation}: cannot connect ({exc.__class__.__name__})", retryable=True,
                                code=_connection_failure(exc))  # fmt: skip
            continue
        if response.status_code < 400:
            if not streamed_by_caller:
                _read_bounded(response, operation=operation, limit=policy.max_bytes, error=error)
            return response
        _read_bounded(response, operation=operation, limit=min(policy.max_bytes, 1_000_000), error=error)
        message = f"{operation}: HTTP {response.status_code} {_server_error(response)}".rstrip()
        code = _status_failure(response.status_code)
        if response.status_code in TRANSIENT_STATUSES:
            last = error(message, retryable=True, status=response.status_code, code=code)
            continue
        raise error(message, retryable=False, status=response.status_code, code=code)
    assert last is not None
    raise last

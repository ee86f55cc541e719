"""Transmission's HTTP calls: the shared client (``facturier.common.http``) raising ``ChannelError``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests

from facturier.common.http import TRANSIENT_STATUSES, HttpPolicy
from facturier.common.http import request as _request
from facturier.transmission.base import ChannelError

__all__ = ["TRANSIENT_STATUSES", "HttpPolicy", "request"]


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
    """``common.http.request`` whose failures are ``ChannelError`` (what the channels and services catch)."""
    return _request(session, method, url, operation=operation, policy=policy, headers=headers,
                    error=ChannelError, **kwargs)  # fmt: skip

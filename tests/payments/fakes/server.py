"""The payment providers' fakes serve through the shared test HTTP server, on this project's test ports:
FACTURIER_TEST_PORTS (default 18600-18649), the first free."""

from __future__ import annotations

import os

from tests.fake_http import FakeServer, Request, Response

__all__ = ["FakeProviderServer", "Request", "Response"]


def _ports() -> range:
    low, _sep, high = os.environ.get("FACTURIER_TEST_PORTS", "18600-18649").partition("-")
    return range(int(low), int(high or low) + 1)


class FakeProviderServer(FakeServer):
    def __init__(self) -> None:
        super().__init__(ports=_ports())

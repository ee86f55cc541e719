"""The fakes of the transmission platforms serve through the shared test HTTP server."""

from tests.fake_http import FakeServer, Request, Response

__all__ = ["FakeServer", "Request", "Response"]

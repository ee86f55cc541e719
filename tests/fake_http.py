"""A small threaded HTTP server for the fakes of remote APIs (Chorus Pro, a PDP, Stripe, PayPal): each fake
implements ``handle(request) -> Response`` after the service's published API, behind the same adapter the
product uses. The server records every request, answers one at a time (a fake's state is plain Python),
and can fail or delay the next calls on demand (retry and timeout tests)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {key: values[-1] for key, values in parse_qs(self.body.decode()).items()}


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(cls, data: Any, status: int = 200) -> Response:
        return cls(status, json.dumps(data).encode(), {"Content-Type": "application/json"})


class FakeServer:
    """Serves on 127.0.0.1, on the first free port of ``ports`` (0: any free port the system gives)."""

    def __init__(self, ports: Iterable[int] = (0,)) -> None:
        self.requests: list[Request] = []
        self.fail_next: list[int] = []  # statuses to answer with before handling normally
        self.delay = 0.0
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                parts = urlsplit(self.path)
                request = Request(self.command, parts.path, parse_qs(parts.query),
                                  {k.lower(): v for k, v in self.headers.items()}, self.rfile.read(length))  # fmt: skip
                fake.requests.append(request)
                if fake.delay:
                    threading.Event().wait(fake.delay)
                with fake.lock:
                    if fake.fail_next:
                        response = Response.of_json({"errorCode": "RESOURCE_ERROR"}, fake.fail_next.pop(0))
                    else:
                        response = fake.handle(request)
                try:
                    self.send_response(response.status)
                    for name, value in response.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(response.body)))
                    self.end_headers()
                    self.wfile.write(response.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (timeout tests)

            do_GET = do_POST = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return

        last: OSError | None = None
        for port in ports:
            try:
                self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
                break
            except OSError as error:
                last = error
        else:
            raise RuntimeError(f"no free port for a fake server: {last}")
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def handle(self, request: Request) -> Response:  # pragma: no cover - overridden
        return Response(404)

    def start(self) -> Self:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def calls(self, path: str, method: str | None = None) -> list[Request]:
        """The requests received on ``path`` (with ``method`` only, when given), in their order."""
        return [r for r in self.requests if r.path == path and method in (None, r.method)]

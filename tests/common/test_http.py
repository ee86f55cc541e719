"""The shared outbound HTTP client: retries transient answers with backoff, refuses oversize answers, names failures."""

import http.server
import json
import threading

import pytest
import requests

from facturier.common.http import HttpPolicy, OutboundError, request
from facturier.common.oauth2 import ClientCredentials


class _Handler(http.server.BaseHTTPRequestHandler):
    answers: list[tuple[int, bytes]] = []
    seen: list[str] = []

    def _answer(self):
        self.seen.append(self.path)
        status, body = self.answers.pop(0) if self.answers else (200, b"{}")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    _Handler.answers, _Handler.seen = [], []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler
    httpd.shutdown()


FAST = HttpPolicy(timeout=5, retries=2, backoff=0.01, max_bytes=1000)


def test_a_transient_answer_is_retried_and_the_next_success_returned(server):
    # given a server that is unavailable once, then answers
    url, handler = server
    handler.answers = [(503, b'{"errorCode": "BUSY"}'), (200, b'{"ok": true}')]
    # when a request is sent
    response = request(requests.Session(), "GET", f"{url}/x", operation="Status", policy=FAST)
    # then it was retried and the success returned
    assert response.json() == {"ok": True}
    assert handler.seen == ["/x", "/x"]


def test_a_refusal_is_not_retried_and_names_the_servers_error_code(server):
    # given a server refusing the request
    url, handler = server
    handler.answers = [(400, b'{"errorCode": "BAD_SIRET"}')]
    # when a request is sent
    with pytest.raises(OutboundError) as raised:
        request(requests.Session(), "POST", f"{url}/x", operation="Submit", policy=FAST)
    # then one attempt, and the error names the operation and the server's code
    assert handler.seen == ["/x"]
    assert (raised.value.code, raised.value.status, raised.value.retryable) == ("remote_refused", 400, False)
    assert "Submit: HTTP 400 BAD_SIRET" in raised.value.message


def test_an_answer_over_the_size_limit_is_refused(server):
    # given a server answering 5 000 bytes to a client accepting 1 000
    url, handler = server
    handler.answers = [(200, json.dumps({"data": "x" * 5000}).encode())]
    # when a request is sent
    with pytest.raises(OutboundError) as raised:
        request(requests.Session(), "GET", f"{url}/big", operation="Download", policy=FAST)
    # then it is refused as too large
    assert raised.value.code == "response_too_large"


def test_an_oauth2_token_is_fetched_once_and_reused(server):
    # given a token endpoint
    url, handler = server
    handler.answers = [(200, b'{"access_token": "tok-1", "expires_in": 3600}')]
    credentials = ClientCredentials(f"{url}/token", "client-a", "secret", policy=FAST)
    session = requests.Session()
    # when two tokens are asked for
    tokens = [credentials.token(session), credentials.token(session)]
    # then one call was made and the token reused
    assert tokens == ["tok-1", "tok-1"]
    assert handler.seen == ["/token"]
    credentials.forget()

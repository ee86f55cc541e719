"""`facturier serve` runs gunicorn and a worker together, serves the static files, and stops both together."""

import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, free_port


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in found.read_text().split()] if found.exists() else []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return state != "Z"


def _get(url: str) -> tuple[str, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - a local test server
        return response.read().decode(), dict(response.headers)


@pytest.mark.slow
@pytest.mark.parametrize("options", [[], ["--dev"]], ids=["production", "development"])
def test_sigterm_stops_the_server_and_its_worker(tmp_path, options):
    # given a migrated data dir and `facturier serve` running on a free port, with production settings
    # (a real secret key, plain HTTP on 127.0.0.1) or development ones
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        FACTURIER_DATA_DIR=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECRET_KEY=secrets.token_urlsafe(50),
        FACTURIER_SSL_REDIRECT="0",
        FACTURIER_SEAL_KEYS=f"serve-test:{secrets.token_urlsafe(32)}",
    )
    cli = [sys.executable, "-m", "facturier.cli"]
    subprocess.run([*cli, "migrate"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    port = free_port()
    workers: list[int] = []
    server = subprocess.Popen([*cli, "serve", "--port", str(port), *options], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)  # noqa: S310
                break
            except OSError:
                assert server.poll() is None, "the server stopped"
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        # then the login page links its stylesheet, which the server itself serves (WhiteNoise): under
        # production settings a hashed, compressed copy cached for a year
        page, headers = _get(f"http://127.0.0.1:{port}/login/")
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        stylesheet = re.search(r'href="(/static/web/app[.\w]*\.css)"', page)
        assert stylesheet, page
        css, css_headers = _get(f"http://127.0.0.1:{port}{stylesheet.group(1)}")
        assert ".logo-preview" in css
        if not options:
            assert re.fullmatch(r"/static/web/app\.[0-9a-f]{12}\.css", stylesheet.group(1))
            assert "max-age=315360000" in css_headers["Cache-Control"]
        workers = _children(server.pid)
        assert workers, "no worker process was started beside the server"
        time.sleep(1)
        assert all(_alive(pid) for pid in workers), "the worker died on its own"
        # when the server is sent SIGTERM (as systemd or docker stop would)
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
        # then its worker is gone too
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
        for pid in workers:  # never leave an orphan behind, even when the test fails
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)

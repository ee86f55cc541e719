"""A real Facturier server for the browser tests: its own data directory and SQLite database, migrated,
with one company, user, customer and product, served by `facturier manage runserver` on a free port."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "marie", "pw-marie-e2e-1"

SETUP = f"""
import django
django.setup()
from decimal import Decimal
from django.contrib.auth import get_user_model
from facturier.accounts.services import entity_create
from facturier.catalog.services import product_create
from facturier.parties.services import customer_create

user = get_user_model().objects.create_user({USERNAME!r}, "marie@example.fr", {PASSWORD!r})
entity = entity_create(
    by=None, admin_user=user, name="Atelier Dupont SAS", legal_form="SAS", share_capital=Decimal("10000.00"),
    siren="552100554", siret="55210055400013", vat_number="FR96552100554", rcs="RCS Paris 552100554",
    address_line1="12 rue de la Paix", postcode="75002", city="Paris", iban="FR7630006000011234567890189",
    bic="AGRIFRPP", email="compta@dupont.example",
)
customer_create(
    entity=entity, by=None, code="C001", name="Boulangerie Martin SARL", siren="443061841",
    address_line1="3 place du Marché", postcode="69002", city="Lyon", email="factures@martin.example",
)
product_create(
    entity=entity, by=None, sku="CONSEIL-J", name="Journée de conseil", unit="DAY", unit_price="850.00",
    vat_category="S", vat_rate="20.00", accounting_category="services",
)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def environment(data_dir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(
        FACTURIER_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'e2e.sqlite3'}",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        PYTHONPATH=str(ROOT),
    )
    return env


def prepare(data_dir: Path, more_setup: str = "") -> dict[str, str]:
    """Migrate the new database and create the company, user, customer and product (and what
    `more_setup`, Python run after SETUP, adds for one test module)."""
    env = environment(data_dir)
    for command in (["-m", "facturier.cli", "migrate"], ["-c", SETUP + more_setup]):
        done = subprocess.run(  # noqa: S603
            [sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
        )
        if done.returncode:
            raise RuntimeError(f"{command[:2]} failed:\n{done.stdout}\n{done.stderr}")
    return env


def start(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """Start the server and wait until it answers (at most 30 s)."""
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "facturier.cli", "manage", "runserver", f"127.0.0.1:{port}", "--noreload",
             "--insecure"],
            env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)  # noqa: S310
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"the server did not answer within 30 s: {log.read_text()}")


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# flags a closed network needs: no background connections that would be refused many at a time
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@contextmanager
def running(data_dir: Path, more_setup: str = "") -> Iterator[str]:
    """A prepared server for one test module; yields its base URL and stops it afterwards."""
    env = prepare(data_dir, more_setup)
    port = free_port()
    process = start(env, port, data_dir / "server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def browser_tab(base_url: str, **context_options: Any) -> Iterator[Any]:
    """A tab of Debian's chromium (Playwright) on `base_url`, with a generous timeout: CI machines are busy."""
    import pytest

    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, **context_options)
        context.set_default_timeout(20_000)
        try:
            yield context.new_page()
        finally:
            context.close()
            browser.close()


def sign_in(page: Any, username: str = USERNAME, password: str = PASSWORD) -> None:
    """Sign in through the login page and wait for the (French) dashboard."""
    from playwright.sync_api import expect

    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    expect(page.locator("h1")).to_contain_text("Tableau de bord")

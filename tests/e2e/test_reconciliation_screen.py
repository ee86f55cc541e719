"""In a real browser: a clerk imports this morning's statement, accepts a proposal with one key, splits a
line over two invoices writing off the cents missing; the invoices become paid and the customers receive
their receipts through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import time
from email import message_from_bytes, policy
from pathlib import Path

import pytest

from tests.e2e import server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

# Three invoices to pay and a CSV statement paying them, written to the data folder with the ids.
SETUP = """
import json, os
from pathlib import Path
from facturier.banking.services import bank_account_add
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.parties.models import Customer
from tests.banking.conftest import IBAN, MAPPING, csv_bytes

martin = Customer.objects.get(entity=entity, code="C001")
durand = customer_create(
    entity=entity, by=None, code="C002", name="SARL Durand", siren="356000000", address_line1="1 rue Neuve",
    postcode="69002", city="Lyon", email="compta@durand.example",
)


def issue(customer, net):
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=user, lines=[
        LineData(description="Prestation", quantity=Decimal("1"), unit_price=Decimal(net), vat_rate=Decimal("20.00")),
    ])
    return invoice_issue(invoice=draft, by=user)


exact = issue(martin, "1000.00")  # 1,200.00: paid by a transfer quoting its number
proposed = issue(martin, "2000.00")  # 2,400.00: its number mistyped by the payer
durand_a = issue(durand, "250.00")  # 300.00 and 60.00: paid together, 0.60 short, naming nothing
durand_b = issue(durand, "50.00")
mistyped = proposed.number[:-2] + proposed.number[-1] + proposed.number[-2]
assert mistyped != proposed.number
day = exact.issue_date.strftime("%d/%m/%Y")
bank_account_add(entity=entity, by=None, iban=IBAN, name="Compte courant", csv_mapping=MAPPING)
data = Path(os.environ["FACTURIER_DATA_DIR"])
(data / "releve.csv").write_bytes(csv_bytes([
    (day, "", "1 200,00", "VIR " + exact.number, "BOULANGERIE MARTIN"),
    (day, "", "2 400,00", "VIR " + mistyped, "M. DUPONT"),
    (day, "", "359,40", "PAIEMENT", "M DUPOND"),
]))
(data / "invoices.json").write_text(json.dumps({
    name: [str(invoice.pk), invoice.number]
    for name, invoice in dict(exact=exact, proposed=proposed, durand_a=durand_a, durand_b=durand_b).items()
}))
"""


class Inbox:
    def __init__(self) -> None:
        self.recipients: list[str] = []
        self.subjects: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.recipients.extend(envelope.rcpt_tos)
        self.subjects.append(
            str(message_from_bytes(envelope.original_content, policy=policy.default)["Subject"])
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def smtp():
    controller_module = pytest.importorskip("aiosmtpd.controller")
    inbox = Inbox()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, f"smtp://127.0.0.1:{controller.port}?timeout=5"
    controller.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp):
    _inbox, email_url = smtp
    data_dir: Path = tmp_path_factory.mktemp("facturier-e2e-reconcile")
    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(os.environ, "FACTURIER_TEST_EMAIL_URL", email_url)
        with server.running(data_dir, SETUP) as url:
            yield url, data_dir


@pytest.fixture
def page(site):
    url, _data_dir = site
    with server.browser_tab(url, locale="fr-FR") as tab:
        tab.on("dialog", lambda dialog: dialog.accept())
        yield tab


def _wait_for(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_a_clerk_imports_accepts_a_proposal_splits_a_line_and_the_customers_get_receipts(page, site, smtp):
    from playwright.sync_api import expect

    _url, data_dir = site
    inbox, _email_url = smtp
    invoices = json.loads((data_dir / "invoices.json").read_text())
    reported: list[str] = []  # Content-Security-Policy violations and script errors
    page.on(
        "console",
        lambda message: reported.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: reported.append(str(error)))
    server.sign_in(page)

    # when the clerk uploads this morning's statement (CSV) for the account
    page.goto("/bank/import/")
    page.set_input_files("#id_file", str(data_dir / "releve.csv"))
    page.select_option("#id_account", index=1)
    page.click("main button[type=submit]")
    # then the exact transfer is reconciled at once, the mistyped one proposed, the third left
    expect(page.locator(".messages")).to_contain_text(
        "1 rapprochées automatiquement, 1 proposées, 1 restantes"
    )

    # when they open the reconciliation screen: the proposal comes first, with its reasons and the focus
    page.goto("/bank/reconcile/")
    first = page.locator("[data-line]").first
    expect(first).to_contain_text(invoices["proposed"][1])
    expect(first).to_contain_text("une référence proche de")
    expect(first).to_be_focused()
    expect(page.locator("#reconcile-left")).to_contain_text("2 lignes restantes")
    # and accept it with one key
    page.keyboard.press("a")
    expect(page.locator(".messages")).to_contain_text("Proposition acceptée")
    expect(page.locator("#reconcile-left")).to_contain_text("1 ligne restante")

    # when they match the last line by hand (key m), split over Durand's two invoices, 0.60 written off
    expect(page.locator("[data-line]").first).to_be_focused()
    page.keyboard.press("m")
    expect(page.locator("h1")).to_have_text("Rapprocher une ligne bancaire")
    page.fill("#q", "Durand")
    page.press("#q", "Enter")
    page.fill(f"input[data-number='{invoices['durand_a'][1]}']", "300,00")
    page.fill(f"input[data-number='{invoices['durand_b'][1]}']", "60,00")
    page.select_option("#write_off", "writeoff")
    page.click("#match-submit")
    # then nothing is left to reconcile
    expect(page.locator("#reconcile-done")).to_be_visible()
    expect(page.locator("#recent-decisions tbody tr")).to_have_count(3)

    assert reported == []
    # and the four invoices are paid
    for key in ("exact", "proposed", "durand_a", "durand_b"):
        page.goto(f"/documents/{invoices[key][0]}/")
        expect(page.locator("#document-settlement")).to_have_text(re.compile("Payée"))
    # and each customer received a receipt per invoice
    _wait_for(lambda: len(inbox.recipients) >= 4)
    assert sorted(inbox.recipients) == [
        "compta@durand.example", "compta@durand.example", "factures@martin.example", "factures@martin.example",
    ]  # fmt: skip

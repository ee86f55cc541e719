"""In a real browser: sign in, create an invoice with lines and live totals, issue it, credit it."""

import datetime as dt
import re
import shutil
from zoneinfo import ZoneInfo

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


def money_text(text: str) -> str:
    """`1 234,50 €` with the narrow and non-breaking spaces French formatting uses, as plain spaces."""
    return re.sub(r"[\u202f\xa0]", " ", text).strip()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-e2e")) as url:
        yield url


@pytest.fixture
def page(base_url):
    with server.browser_tab(base_url, locale="en-US") as tab:
        tab.on("dialog", lambda dialog: dialog.accept())  # French all the same: the default language
        yield tab


def test_accountant_creates_issues_and_credits_an_invoice_in_the_browser(page):
    from playwright.sync_api import expect

    # given the accountant signs in
    server.sign_in(page)

    # when they create an invoice: the customer found by part of its name, a product by part of its
    # reference, then a free line
    page.goto("/invoices/new/")
    page.locator("#id_customer").press_sequentially("boul")
    page.click("#id_customer-suggestions [role=option]:has-text('Boulangerie Martin SARL')")
    expect(page.locator("#id_customer")).to_have_value("Boulangerie Martin SARL")
    # then the customer's terms are filled in (this customer is on 30 days net)
    expect(page.locator("#id_payment_terms")).to_have_value("net30")
    expect(page.locator("#id_currency")).to_have_value("EUR")
    page.locator("#id_lines-0-product").press_sequentially("conseil")
    # (the keyboard picks the suggestion once it is shown: Enter before that would submit the form)
    expect(page.locator("#id_lines-0-product-suggestions [role=option]").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("#id_lines-0-product")).to_have_value("CONSEIL-J — Journée de conseil")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("850")
    expect(page.locator("#id_lines-0-description")).to_have_value("Journée de conseil")
    page.fill("#id_lines-0-quantity", "2")
    total = page.locator("#live-total-incl")
    expect(total).to_have_text(re.compile(r"2\s040,00\s€"))
    page.click("button[data-add=lines]")
    page.fill("#id_lines-1-description", "Frais de déplacement")
    page.fill("#id_lines-1-unit_price", "100")
    page.fill("#id_lines-1-vat_rate", "20")
    # then the live total follows, computed by the server
    expect(total).to_have_text(re.compile(r"2\s160,00\s€"))
    assert money_text(page.locator("[data-total=tax_exclusive]").inner_text()) == "1 800,00 €"
    # and the due date the invoice will get, were it issued today
    today = dt.datetime.now(ZoneInfo("Europe/Paris")).date()
    due = (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    expect(page.locator("#live-due-date")).to_have_text(due)
    # and other terms chosen move it, "45 jours fin de mois" to the end of the month 45 days on
    page.select_option("#id_payment_terms", "45eom")
    later = today + dt.timedelta(days=45)
    end_of_month = (later.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    expect(page.locator("#live-due-date")).to_have_text(end_of_month.strftime("%d/%m/%Y"))
    page.select_option("#id_payment_terms", "net30")
    expect(page.locator("#live-due-date")).to_have_text(due)
    # and a row added then removed leaves no trace (its price typed the French way)
    page.click("button[data-add=lines]")
    page.fill("#id_lines-2-unit_price", "1 000,00")
    expect(total).to_have_text(re.compile(r"3\s360,00\s€"))
    page.click("tr[data-prefix=lines-2] .remove-row")
    expect(total).to_have_text(re.compile(r"2\s160,00\s€"))

    # when they save and issue it
    page.click("#save-document")
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    page.click("button[data-action=issue]")
    # then it has its legal number
    expect(page.locator("#document-status")).to_have_text("Émise")
    number = page.locator("#document-number").inner_text()
    assert re.fullmatch(r"[A-Za-z0-9+\-_/]{1,35}", number)
    assert money_text(page.locator("#total-incl").inner_text()) == "2 160,00 €"
    assert due in page.content()  # the due date shown while editing is the one issued

    # when they create a credit note against it and issue it
    page.click("button[data-action=credit-note]")
    expect(page.locator("h1")).to_contain_text("Avoir")
    expect(page.locator("#document-links")).to_contain_text(number)
    page.click("button[data-action=issue]")
    expect(page.locator("#document-status")).to_have_text("Émis")  # un avoir émis, une facture émise
    credit_number = page.locator("#document-number").inner_text()
    assert credit_number != number

    # then the invoice shows the credit note, and is cancelled by it
    page.click(f"#document-links a:has-text('{number}')")
    expect(page.locator("#document-number")).to_have_text(number)
    expect(page.locator("#document-status")).to_have_text("Annulée par avoir")
    expect(page.locator(".credit-note-link")).to_contain_text(credit_number)
    expect(page.locator(".credit-note-link .badge")).to_have_text("Émis")

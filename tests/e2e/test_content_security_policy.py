"""In a real browser: the pages work under the Content-Security-Policy (no violation reported), the
editor's live total still follows, and the behaviour moved out of inline handlers (asking before a
draft is deleted, switching company on change) still happens."""

import re
import shutil

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

SECOND_COMPANY = """
entity_create(
    by=None, admin_user=user, name="Autre Société SARL", legal_form="SARL", share_capital=Decimal("5000.00"),
    siren="732829320", vat_number="FR44732829320", rcs="RCS Lyon 732829320", address_line1="1 quai Saint-Vincent",
    postcode="69001", city="Lyon", iban="FR7630006000011234567890189", bic="AGRIFRPP", email="compta@autre.example",
)
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-csp"), SECOND_COMPANY) as url:
        yield url


def test_the_pages_work_under_the_content_security_policy(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url) as page:
        reported: list[str] = []
        page.on("console", lambda message: reported.append(message.text))
        page.on("pageerror", lambda error: reported.append(str(error)))

        # given the accountant signed in, on the dashboard served with the policy
        server.sign_in(page)
        response = page.reload()
        assert "script-src 'self'" in response.headers["content-security-policy"]

        # when they write an invoice in the editor
        page.goto("/invoices/new/")
        page.locator("#id_customer").press_sequentially("boul")
        page.click("#id_customer-suggestions [role=option]:has-text('Boulangerie Martin SARL')")
        page.fill("#id_lines-0-description", "Audit")
        page.fill("#id_lines-0-unit_price", "100")
        page.fill("#id_lines-0-vat_rate", "20")
        page.fill("#id_lines-0-quantity", "2")
        # then the live total, computed by the server, follows
        expect(page.locator("#live-total-incl")).to_have_text(re.compile(r"240,00\s€"))

        # when they save the draft and ask to delete it, then change their mind
        page.click("#save-document")
        expect(page.locator("#document-status")).to_have_text("Brouillon")
        asked: list[str] = []
        page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
        page.click("button[data-action=delete]")
        # then they were asked first, and the draft is still there
        expect(page.locator("#document-status")).to_have_text("Brouillon")
        assert asked == ["Supprimer ce brouillon ?"]

        # when they choose the other company in the switcher
        page.select_option("#entity-select", label="Autre Société SARL")
        # then it is the current one at once, without a button
        expect(page.locator("#entity-select option:checked")).to_have_text("Autre Société SARL")

        # and the browser reported no policy violation on any of these pages
        violations = [text for text in reported if "Content Security Policy" in text]
        assert not violations, violations
        assert not [text for text in reported if "Uncaught" in text], reported

"""In a real browser 320 px wide, by keyboard only: a clerk refunds part of a customer's credit from the
statement of account; a refund above the credit is refused next to the amount, nothing is written."""

from __future__ import annotations

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

# 100.00 received from Boulangerie Martin and never allocated: their credit
SETUP = """
import json, os
from pathlib import Path
from facturier.parties.models import Customer
from facturier.payments.services import payment_record
from django.utils import timezone

martin = Customer.objects.get(entity=entity, code="C001")
payment_record(entity=entity, customer=martin, amount=Decimal("100.00"), received_on=timezone.localdate(), by=user,
               reference="VIR-CREDIT")
Path(os.environ["FACTURIER_DATA_DIR"], "customer.txt").write_text(str(martin.pk))
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("facturier-e2e-refund")
    with server.running(data_dir, SETUP) as url:
        yield url, data_dir


def test_a_refund_of_credit_by_keyboard_on_a_phone(site):
    from playwright.sync_api import expect

    url, data_dir = site
    customer = (data_dir / "customer.txt").read_text()
    with server.browser_tab(url, locale="fr-FR", viewport={"width": 320, "height": 720}) as page:
        server.sign_in(page)
        page.goto(f"/customers/{customer}/statement/")
        # the refund link, reached and followed by keyboard
        page.locator("#refund-link").focus()
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Rembourser le client")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
        # too much: refused next to the amount, the summary takes the focus
        page.locator("#id_amount").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("150,00")
        page.keyboard.press("Enter")
        expect(page.locator("#error-summary")).to_be_focused()
        expect(page.locator("#error-summary a[href='#id_amount']")).to_be_visible()
        # 60.00: recorded, the refund's page shows it
        page.locator("#id_amount").focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("60,00")
        page.keyboard.press("Enter")
        expect(page.locator(".messages")).to_contain_text("Remboursement de")
        expect(page.locator("h1")).to_contain_text("Remboursement")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320

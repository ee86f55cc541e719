"""Approval circuits on small screens: the finance director opens the approval page of an invoice at its
second level on a phone (390 px) and sees the level, the rule that applied and the history; the rules
page fits 320 px and its form is reachable by keyboard."""

import shutil

import pytest

from tests.e2e import server
from tests.e2e.test_approvals_phone import assert_nothing_wider_than_the_phone

PHONE = {"width": 390, "height": 844}
NARROW = {"width": 320, "height": 640}
DIRECTOR, DIRECTOR_PASSWORD = "sofia", "pw-sofia-e2e-1"
LEAD, LEAD_PASSWORD = "noah", "pw-noah-e2e-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]

MORE_SETUP = f"""
from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.approvals.services import rule_save
from facturier.catalog.models import Product
from facturier.parties.models import Customer
from facturier.invoicing.services import LineData, document_create, invoice_approve, invoice_submit

sofia = get_user_model().objects.create_user({DIRECTOR!r}, "sofia@example.fr", {DIRECTOR_PASSWORD!r},
                                             first_name="Sofia", last_name="Marchetti")
membership_set(entity=entity, user=sofia, role=Role.APPROVER, by=user)
noah = get_user_model().objects.create_user({LEAD!r}, "noah@example.fr", {LEAD_PASSWORD!r})
membership_set(entity=entity, user=noah, role=Role.APPROVER, by=user)
rule_save(entity=entity, by=None, name="Chef d'équipe", priority=1, currency="EUR",
          levels=[{{"label": "chef d'équipe", "roles": [], "users": [str(noah.pk)], "required": 1}}])
rule_save(entity=entity, by=None, name="Direction financière au-delà de 10 000 €", priority=2, currency="EUR",
          min_amount=Decimal("10000"),
          levels=[{{"label": "directrice financière", "roles": [], "users": [str(sofia.pk)], "required": 1}}])
customer = Customer.objects.get(entity=entity, code="C001")
product = Product.objects.get(sku="CONSEIL-J")
invoice = document_create(entity=entity, kind="invoice", customer=customer, by=user,
                          lines=[LineData(product=product, quantity=Decimal("15"))])
invoice_submit(invoice=invoice, by=user)
invoice_approve(invoice=invoice, by=noah, comment="Conforme au devis signé.")
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-e2e-circuits"), MORE_SETUP) as url:
        yield url


def _sign_in(tab, username: str, password: str) -> None:
    tab.goto("/login/")
    tab.fill("#id_username", username)
    tab.fill("#id_password", password)
    tab.click("button[type=submit].primary")


def test_the_director_sees_level_rule_and_history_on_a_phone(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url, viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR") as tab:
        _sign_in(tab, DIRECTOR, DIRECTOR_PASSWORD)
        tab.goto("/approvals/")
        tab.locator("#approval-list .approval-card").first.click()
        current = tab.locator("#approval-levels li[aria-current=step]")
        expect(current).to_contain_text("Niveau 2 sur 2")
        expect(current).to_contain_text("Direction financière au-delà de 10 000 €")
        expect(tab.locator("#approval-history")).to_contain_text("Conforme au devis signé.")
        assert_nothing_wider_than_the_phone(tab)
        tab.click("button[data-action=approve]")
        expect(tab.locator(".message.success")).to_contain_text("approuvé")


def test_the_rules_page_fits_320_px_and_works_by_keyboard(base_url):
    with server.browser_tab(base_url, viewport=NARROW, locale="fr-FR") as tab:
        _sign_in(tab, server.USERNAME, server.PASSWORD)
        tab.goto("/approvals/rules/")
        found = tab.evaluate("() => document.documentElement.scrollWidth")
        assert found <= NARROW["width"]
        tab.focus("#id_name")
        tab.keyboard.type("Clavier")
        reached = set()
        for _ in range(60):
            tab.keyboard.press("Tab")
            reached.add(
                tab.evaluate("() => document.activeElement.id || document.activeElement.textContent.trim()")
            )
            if "Enregistrer la règle" in reached:
                break
        assert {"id_min_amount", "id_level1_required", "Enregistrer la règle"} <= reached

"""On a phone (390 x 844): an approver opens "À approuver", reads a document, approves one and rejects
another with a comment, and nothing on those pages is wider than the screen."""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e import server

PHONE = {"width": 390, "height": 844}
# Screenshots to look at (not compared): /tmp/approvals-*.png, or FACTURIER_SCREENSHOTS=<dir>.
SHOTS = Path(os.environ.get("FACTURIER_SCREENSHOTS", "/tmp"))  # noqa: S108
APPROVER, APPROVER_PASSWORD = "nadia", "pw-nadia-e2e-1"
APPROVAL_COMMENT = "Conforme au devis signé, OK pour émission."
COMMENT = "Le bon de commande n'est pas signé : merci de le joindre avant de resoumettre."

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

# The company requires approval; Marie (administrator) created and submitted two invoices for a
# customer with a long name, with a long line; Nadia approves.
MORE_SETUP = f"""
from facturier.accounts.roles import Role
from facturier.accounts.services import entity_update, membership_set
from facturier.invoicing.services import LineData, document_create, invoice_submit
from facturier.catalog.models import Product

entity_update(entity=entity, by=None, requires_approval=True)
nadia = get_user_model().objects.create_user({APPROVER!r}, "nadia@example.fr", {APPROVER_PASSWORD!r},
                                             first_name="Nadia", last_name="Benali")
membership_set(entity=entity, user=nadia, role=Role.APPROVER, by=user)
long_named = customer_create(
    entity=entity, by=None, code="C002",
    name="Établissements Lefebvre-Dumoulin et Fils — Fournitures industrielles pour l'agroalimentaire SARL",
    siren="732829320", address_line1="18 avenue des Frères-Lumière", postcode="69008", city="Lyon",
    email="comptabilite@lefebvre-dumoulin.example",
)
product = Product.objects.get(sku="CONSEIL-J")
for quantity in ("3", "5"):
    invoice = document_create(entity=entity, kind="invoice", customer=long_named, by=user, lines=[
        LineData(product=product, quantity=Decimal(quantity)),
        LineData(description="Maintenance préventive trimestrielle des équipements de conditionnement — "
                             "site de Villeurbanne, bâtiment B, lignes 1 à 4 (contrat MNT-2026-0042)",
                 quantity=Decimal("1"), unit_price=Decimal("12345.67"), vat_rate=Decimal("20.00")),
    ])
    invoice_submit(invoice=invoice, by=user)
"""

OVERFLOW = """(limit) => {
  const offenders = [];
  for (const element of document.querySelectorAll('body *')) {
    const style = getComputedStyle(element);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const box = element.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > limit + 0.5 || box.left < -0.5) {
      offenders.push(`${element.tagName.toLowerCase()}#${element.id}.${element.className} `
                     + `${Math.round(box.left)}..${Math.round(box.right)}`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, offenders};
}"""


def assert_nothing_wider_than_the_phone(page) -> None:
    found = page.evaluate(OVERFLOW, PHONE["width"])
    assert found["scrollWidth"] <= PHONE["width"], found
    assert found["offenders"] == [], found["offenders"]


def money_text(text: str) -> str:
    return re.sub(r"[\u202f\xa0]", " ", text).strip()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-e2e-approvals"), MORE_SETUP) as url:
        yield url


@pytest.fixture
def phone(base_url):
    with server.browser_tab(
        base_url, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
    ) as tab:
        yield tab


def test_an_approver_approves_and_rejects_from_a_phone(phone):
    from playwright.sync_api import expect

    # given the approver signs in on a phone
    phone.goto("/login/")
    phone.fill("#id_username", APPROVER)
    phone.fill("#id_password", APPROVER_PASSWORD)
    phone.click("button[type=submit].primary")
    # when they open the folded menu, then "À approuver" counts the two invoices waiting
    phone.click("#nav-toggle")
    entry = phone.locator("#nav-approvals")
    expect(entry).to_contain_text("À approuver")
    expect(entry.locator(".nav-count")).to_have_text("2")
    phone.screenshot(path=str(SHOTS / "approvals-menu.png"))
    entry.click()

    # then the list shows both, customer and total, nothing cut off
    cards = phone.locator("#approval-list .approval-card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text("Lefebvre-Dumoulin")
    assert_nothing_wider_than_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "approvals-list.png"), full_page=True)

    # when they open the first one: total, customer, due date and lines come before the buttons
    cards.first.click()
    expect(phone.locator("#approval-summary")).to_contain_text("Lefebvre-Dumoulin")
    assert money_text(phone.locator("#total-incl").inner_text()) == "17 874,80 €"
    expect(phone.locator("#due-date")).to_have_text(re.compile(r"\d{2}/\d{2}/\d{4}"))
    expect(phone.locator("#lines li")).to_have_count(2)
    expect(phone.locator("#lines")).to_contain_text("Maintenance préventive trimestrielle")
    assert_nothing_wider_than_the_phone(phone)
    phone.screenshot(path=str(SHOTS / "approvals-document.png"), full_page=True)
    summary_top = phone.locator("#approval-summary").bounding_box()["y"]
    assert (
        summary_top
        < phone.locator("#lines").bounding_box()["y"]
        < phone.locator("#decision").bounding_box()["y"]
    )

    # when they approve it with a comment, then they are back on the list with one left
    approved_document_url = phone.locator("#open-document").get_attribute("href")
    phone.fill("input[name=comment]", APPROVAL_COMMENT)
    assert_nothing_wider_than_the_phone(phone)
    phone.click("button[data-action=approve]")
    expect(phone.locator(".message.success")).to_contain_text("approuvé")
    expect(cards).to_have_count(1)
    expect(phone.locator("#nav-approvals .nav-count")).to_have_text("1")

    # when they reject the other: the comment is required
    cards.first.click()
    approval_url = phone.url
    full_document_url = phone.locator("#open-document").get_attribute("href")
    phone.click("button[data-action=reject]")
    assert phone.url == approval_url  # the browser asked for the comment, nothing was sent
    phone.fill("textarea[name=reason]", COMMENT)
    assert_nothing_wider_than_the_phone(phone)
    phone.click("button[data-action=reject]")
    # then nothing waits any more, and the document's history shows the comment
    expect(phone.locator("#approvals-empty")).to_be_visible()
    expect(phone.locator("#nav-approvals .nav-count")).to_have_count(0)
    phone.goto(full_document_url)
    expect(phone.locator("#history")).to_contain_text(COMMENT)
    expect(phone.locator("#document-status")).to_have_text("Brouillon")
    # and the approved one's approval history keeps the approver's comment
    phone.goto(approved_document_url)
    expect(phone.locator("#approval-history")).to_contain_text(APPROVAL_COMMENT)

"""In a real browser, by keyboard only, at 320 px: a construction contract is created on /construction/new/,
its customer found by typing part of its name in the picker."""

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


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-construction")) as url:
        yield url


def test_a_contract_is_created_by_keyboard_at_320_px(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url, viewport={"width": 320, "height": 720}) as page:
        server.sign_in(page)
        page.goto("/construction/")
        # given the link to the page, reached by keyboard
        link = page.locator("a[href='/construction/new/']")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/construction/new/")
        # then nothing is wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        # when the customer is found by part of its name and chosen with the arrow keys
        page.locator("#id_customer").focus()
        page.keyboard.type("boul")
        page.locator("#id_customer-suggestions [role=option]").first.wait_for()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(page.locator("#id_customer")).to_have_value("Boulangerie Martin SARL")
        # and the rest typed, moving with Tab
        page.keyboard.press("Tab")
        page.keyboard.type("M-KBD")
        page.locator("#id_line0-description").focus()
        page.keyboard.type("Maçonnerie")
        page.locator("#id_line0-quantity").focus()
        page.keyboard.type("12")
        page.keyboard.press("Tab")
        page.keyboard.type("1 250,50")
        page.keyboard.press("Enter")  # submits the form
        # then the contract's page shows its line
        page.wait_for_url("**/construction/*-*/")
        expect(page.locator("h1")).to_contain_text("M-KBD")
        expect(page.locator("body")).to_contain_text("Maçonnerie")

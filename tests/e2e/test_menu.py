"""In a real browser at 1,280 px: the main menu fits on one line, in French (the longest words) and in English."""

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
    with server.running(tmp_path_factory.mktemp("facturier-menu")) as url:
        yield url


@pytest.fixture
def page(base_url):
    with server.browser_tab(base_url, viewport={"width": 1280, "height": 800}) as tab:
        yield tab


def menu_tops(page) -> list[int]:
    """The top offset of every menu entry, in pixels: one value when the menu is a single line."""
    return page.eval_on_selector_all(
        "nav.mainnav > a", "links => links.map(link => Math.round(link.getBoundingClientRect().top))"
    )


def test_the_main_menu_is_one_line_at_1280_px_in_french_and_in_english(page):
    from playwright.sync_api import expect

    # given an administrator (who sees every entry, Company included) signed in, in French by default
    server.sign_in(page)

    # then every French entry shares one top offset, and the bar is one row high
    tops = menu_tops(page)
    assert len(tops) >= 9
    assert len(set(tops)) == 1, tops
    assert page.locator("header.topbar").bounding_box()["height"] < 64

    # when they switch to English from the account menu
    page.click("#user-menu summary")
    page.click("#language-switcher button[value=en]")
    expect(page.locator("h1")).to_contain_text("Dashboard")

    # then the English menu is one line too
    tops = menu_tops(page)
    assert len(set(tops)) == 1, tops
    assert page.locator("header.topbar").bounding_box()["height"] < 64

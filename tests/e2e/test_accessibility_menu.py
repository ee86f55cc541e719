"""What axe-core does not check, in a real browser: the skip link, the menu button on a phone (a real button that
says whether the menu is open, reachable and usable from the keyboard), and the contrast of what is not text:
form controls' borders and the focus ring of every tab stop (WCAG 1.4.11, 3:1), on the top bar too."""

import shutil

import pytest

from tests.e2e import server

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

# The colour behind an element (its own and its ancestors' backgrounds, blended), a contrast ratio, and the
# contrast of the focus ring of the element that has the focus, or of the borders of the visible form controls.
COLOURS = """
const parse = (text) => {
  const m = text.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return [0, 0, 0, 0];
  const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
  return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
};
const over = (top, under) => {
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]);
};
const behind = (element) => {
  const layers = [];
  for (let node = element; node && node.nodeType === 1; node = node.parentElement) {
    layers.push(parse(getComputedStyle(node).backgroundColor));
  }
  return layers.reverse().reduce((under, layer) => over(layer, under), [255, 255, 255, 1]);
};
const luminance = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const ratio = (a, b) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return Math.round(((x + 0.05) / (y + 0.05)) * 100) / 100;
};
const describe = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.name ? `[name=${e.name}]` : '');
"""

FOCUS_RING = (
    "() => {"
    + COLOURS
    + """
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const around = behind(element.parentElement || element);
  const colour = over(parse(style.outlineColor), around);
  if (!element.dataset.tabStop) element.dataset.tabStop = String((window.tabStops = (window.tabStops || 0) + 1));
  return {key: element.dataset.tabStop, element: describe(element), style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          contrast: ratio(colour, around)};
}"""
)

BORDERS = (
    "() => {"
    + COLOURS
    + """
  const weak = [];
  for (const e of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea')) {
    if (!e.offsetParent || e.disabled) continue;
    const style = getComputedStyle(e);
    const around = behind(e.parentElement);
    const border = over(parse(style.borderBottomColor), around);
    const contrast = ratio(border, around);
    if (contrast < 3) weak.push(`${describe(e)} ${contrast}:1`);
  }
  return weak;
}"""
)


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-a11y-menu")) as url:
        yield url


def test_on_a_phone_the_menu_is_a_button_that_opens_and_closes_from_the_keyboard(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url, viewport=PHONE) as page:
        # given the accountant signed in on a phone
        server.sign_in(page)
        button = page.locator("#nav-toggle")
        menu = page.locator("#main-menu")
        # then the menu is folded behind a real button that names what it opens
        expect(button).to_be_visible()
        assert button.evaluate("b => b.tagName") == "BUTTON"
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_have_attribute("aria-controls", "main-menu")
        expect(button).to_have_accessible_name("Menu")
        expect(menu.get_by_role("link", name="Factures", exact=True)).to_be_hidden()

        # when they reach it from the keyboard (skip link, brand, button) and press Enter
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        expect(button).to_be_focused()
        page.keyboard.press("Enter")
        # then the menu is open and says so, and its links come next in the tab order
        expect(button).to_have_attribute("aria-expanded", "true")
        expect(menu.get_by_role("link", name="Factures", exact=True)).to_be_visible()
        page.keyboard.press("Tab")
        expect(menu.get_by_role("link", name="Tableau de bord")).to_be_focused()

        # when they press Escape in the menu
        page.keyboard.press("Escape")
        # then it folds and the focus is back on the button
        expect(button).to_have_attribute("aria-expanded", "false")
        expect(button).to_be_focused()
        expect(menu.get_by_role("link", name="Factures", exact=True)).to_be_hidden()

        # and a second press of the button (Space this time) opens it again, a click closes it
        page.keyboard.press("Space")
        expect(button).to_have_attribute("aria-expanded", "true")
        button.click()
        expect(button).to_have_attribute("aria-expanded", "false")


def test_on_a_desktop_the_menu_is_open_and_the_button_hidden(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url, viewport=DESKTOP) as page:
        server.sign_in(page)
        expect(page.locator("#nav-toggle")).to_be_hidden()
        expect(page.locator("#main-menu").get_by_role("link", name="Factures", exact=True)).to_be_visible()


def test_the_skip_link_is_the_first_tab_stop_and_leads_to_the_content(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url, viewport=DESKTOP) as page:
        # given the customers page
        server.sign_in(page)
        page.goto("/customers/")
        skip = page.get_by_role("link", name="Aller au contenu principal")
        # then the skip link is hidden until the first Tab shows it
        assert skip.bounding_box()["y"] < 0
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        assert skip.bounding_box()["y"] >= 0
        # when it is followed
        page.keyboard.press("Enter")
        # then the focus is on the main content, and the next Tab goes into it, past the menu
        expect(page.locator("main#content")).to_be_focused()
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('main') !== null")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_tab_stop_has_a_focus_ring_of_3_to_1_and_controls_have_borders_of_3_to_1(base_url, viewport):
    with server.browser_tab(base_url, viewport=viewport) as page:
        server.sign_in(page)
        weak_rings: list[str] = []
        weak_borders: list[str] = []
        for path in ("/", "/customers/new/", "/invoices/new/", "/company/"):
            # given a page with the top bar, forms and the editor (and on a phone the open menu)
            page.goto(path)
            if viewport is PHONE:
                page.click("#nav-toggle")
            weak_borders += [f"{path} {weak}" for weak in page.evaluate(BORDERS)]
            # when every tab stop is reached with the keyboard
            seen: set[str] = set()
            for _ in range(120):
                page.keyboard.press("Tab")
                ring = page.evaluate(FOCUS_RING)
                if ring is None or ring["key"] in seen:
                    break
                seen.add(ring["key"])
                # then each shows a solid ring at least 2 px wide, 3:1 against what is around it
                if ring["style"] == "none" or ring["width"] < 2 or ring["contrast"] < 3:
                    weak_rings.append(f"{path} {ring}")
            assert len(seen) > 5, (path, seen)
        assert not weak_borders, weak_borders
        assert not weak_rings, weak_rings

"""With the keyboard alone (Tab, Shift+Tab, Enter, arrow keys and typed text; no click): Marie creates
an invoice and submits it, Nadia approves it, Marie issues it. At every step the focused element must
show a focus indicator and must not be hidden under the sticky save bar; the tab presses are counted
(printed with `-s`, and kept under a ceiling so that the count does not creep back up)."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.e2e import server

APPROVER, APPROVER_PASSWORD = "nadia", "pw-nadia-e2e-1"
# Measured on main before issue 12's work: 173 tab presses (create 65, submit 15, approve 40, issue 52,
# sign-ins and sign-outs included), and focus lost or hidden 6 times; after it: 131 and none. With the skip
# link (and the account menu's two-factor entry) but not using it: 141; using it where the target is in the
# main content: 83 (create 31, submit 3, approve 16, issue 32, sign-in 1). With payments (issue 10) the
# approver's path has one more stop on the document page: 84. With approval circuits (issue 11) the
# document page shows the circuit and its history (2 more stops for the approver): 86. The approval page's
# optional comment before "Approve" (Enter in it approves too) is one more stop: 87.
TAB_CEILING = 87
# Where the counts are written for the report (FACTURIER_KEYBOARD_REPORT=<file>), besides stdout.
REPORT = Path(os.environ.get("FACTURIER_KEYBOARD_REPORT", "/tmp/keyboard-tabs.json"))  # noqa: S108

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

MORE_SETUP = f"""
from facturier.accounts.roles import Role
from facturier.accounts.services import entity_update, membership_set

entity_update(entity=entity, by=None, requires_approval=True)
nadia = get_user_model().objects.create_user({APPROVER!r}, "nadia@example.fr", {APPROVER_PASSWORD!r},
                                             first_name="Nadia", last_name="Benali")
membership_set(entity=entity, user=nadia, role=Role.APPROVER, by=user)
"""

# What the user sees of the focused element: an outline or a shadow, and its centre not covered by
# another element (the sticky save bar, a sticky header).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {element: 'body', problem: 'no focus'};
  const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
               (el.getAttribute('name') ? '[name=' + el.getAttribute('name') + ']' : '');
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== 'none';
  if (!outline && !shadow) return {element: name, problem: 'no visible focus indicator'};
  const box = el.getBoundingClientRect();
  if (box.width === 0 || box.height === 0) return {element: name, problem: 'not rendered'};
  const x = Math.min(Math.max(box.left + box.width / 2, 0), innerWidth - 1);
  const y = Math.min(Math.max(box.top + box.height / 2, 0), innerHeight - 1);
  if (box.bottom < 0 || box.top > innerHeight) return {element: name, problem: 'outside the viewport'};
  const top = document.elementFromPoint(x, y);
  if (top && top !== el && !el.contains(top) && !(el.labels && Array.from(el.labels).includes(top))) {
    return {element: name, problem: 'hidden under ' + top.tagName.toLowerCase() + '.' + top.className};
  }
  return {element: name, problem: null};
}"""


class Keyboard:
    """Presses keys on a page, counts the tab presses and records where focus was not visible."""

    def __init__(self, page):
        self.page = page
        self.tabs = 0
        self.problems: list[str] = []
        self.stops: list[str] = []  # every element a tab press reached, for the report

    def check(self, step: str, *, page_loaded: bool = False) -> None:
        found = self.page.evaluate(FOCUS)
        if step.startswith("tab"):
            self.stops.append(found["element"])
        if found["problem"] == "no focus" and page_loaded:
            return  # a page just loaded with nothing focused: Tab starts from its top
        if found["problem"]:
            self.problems.append(f"{step}: {found['element']}: {found['problem']} ({self.page.url})")

    def press(self, key: str, step: str = "") -> None:
        self.page.keyboard.press(key)
        if key not in ("Enter", " ") or step:
            self.check(step or key)

    def follow(self, step: str = "") -> None:
        """Enter on a link or a submit button: wait for the page it leads to, then check the focus."""
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")
        self.page.wait_for_load_state()
        self.check(step or "page loaded", page_loaded=True)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.check(f"typing {text!r}")

    def skip_to_content(self) -> None:
        """On a page just loaded (nothing focused), the first tab stop is the skip link: Enter on it puts
        the focus on the main content, past the top bar and its menus. Where a page puts the focus in the
        content itself (a confirmation), there is nothing to skip."""
        if self.page.evaluate("document.activeElement && document.activeElement !== document.body"):
            return
        self.tab_to("a.skip-link", limit=1)
        self.page.keyboard.press("Enter")
        assert self.page.evaluate("document.activeElement.id") == "content", self.page.url

    def tab_to(self, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
        """Tab (or Shift+Tab) until the focused element matches `selector`, checking every stop."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
            self.tabs += 1
            self.check(f"tab towards {selector}")
            if self.page.evaluate(
                "s => !!document.activeElement && document.activeElement.matches(s)", selector
            ):
                return
        raise AssertionError(f"{selector} not reached in {limit} tab presses on {self.page.url}")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-keyboard"), MORE_SETUP) as url:
        yield url


@pytest.fixture
def page(base_url):
    # a laptop screen: short enough for the sticky save bar to cover fields low on the page
    with server.browser_tab(base_url, viewport={"width": 1280, "height": 700}) as tab:
        tab.on("dialog", lambda dialog: dialog.accept())  # the browser's "Issue it?" box: Enter accepts it
        yield tab


def sign_in(keys: Keyboard, username: str, password: str) -> None:
    from playwright.sync_api import expect

    keys.page.goto("/login/")
    expect(keys.page.locator("#id_username")).to_be_focused()  # autofocus
    keys.type(username)
    keys.tab_to("#id_password")
    keys.type(password)
    keys.follow()
    expect(keys.page.locator("h1")).to_contain_text("Tableau de bord")


def sign_out(keys: Keyboard) -> None:
    from playwright.sync_api import expect

    keys.tab_to("#user-menu summary", backwards=True)
    keys.press("Enter", "open the user menu")
    keys.tab_to("#sign-out")
    keys.follow()
    expect(keys.page.locator("#id_username")).to_be_visible()


def test_an_invoice_is_created_submitted_approved_and_issued_with_the_keyboard_alone(page):
    from playwright.sync_api import expect

    keys = Keyboard(page)
    counts: dict[str, int] = {}

    # given Marie signed in
    sign_in(keys, server.USERNAME, server.PASSWORD)
    counts["sign in (Marie)"] = keys.tabs

    # when she opens the invoices and starts a new one
    keys.tab_to("nav.mainnav a[href$='/invoices/']")
    keys.follow()
    expect(page.locator("h1")).to_contain_text("Factures")
    keys.skip_to_content()
    keys.tab_to("a.button.primary[href$='/invoices/new/']")
    keys.follow()
    expect(page.locator("#document-form")).to_be_visible()
    # and finds the customer by part of its name, choosing the suggestion with the arrow keys
    if not page.evaluate("document.activeElement && document.activeElement.id === 'id_customer'"):
        keys.tab_to("#id_customer")
    keys.type("boul")
    expect(page.locator("#id_customer-suggestions [role=option]").first).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter", "choose the customer")
    expect(page.locator("#id_customer")).to_have_value("Boulangerie Martin SARL")
    expect(page.locator("#id_payment_terms")).to_have_value("net30")
    # and the product of the first line, then its quantity
    keys.tab_to("#id_lines-0-product")
    keys.type("conseil")
    expect(page.locator("#id_lines-0-product-suggestions [role=option]").first).to_be_visible()
    keys.press("ArrowDown")
    keys.press("Enter", "choose the product")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("850")
    keys.tab_to("#id_lines-0-quantity")
    page.keyboard.press("Control+A")
    keys.type("2")
    expect(page.locator("#live-total-incl")).to_have_text(re.compile(r"2\s040,00\s€"))
    # then, once typing pauses, a polite status says the new total, and only that
    expect(page.locator("#editor-announcer")).to_have_text(re.compile(r"^Total TTC 2\s040,00\s€$"))
    # and adds a line, then changes her mind and removes it: focus stays on something useful
    keys.tab_to("button[data-add=lines]")
    keys.press("Enter", "add a line")
    expect(page.locator("#id_lines-1-product")).to_be_focused()
    keys.tab_to("tr[data-prefix=lines-1] .remove-row")
    keys.press("Enter", "remove the line")
    expect(page.locator("tr[data-prefix=lines-1]")).to_be_hidden()
    focused = page.evaluate(
        "document.activeElement && document.activeElement.matches('button[data-add=lines]')"
    )
    if not focused:
        keys.problems.append("removing a line did not move focus to the add-line button")
    # and saves the draft
    keys.tab_to("#save-document")
    keys.follow()
    expect(page.locator("#document-status")).to_have_text("Brouillon")
    counts["create"] = keys.tabs - sum(counts.values())

    # when she submits it for approval
    keys.skip_to_content()
    keys.tab_to("button[data-action=submit]")
    keys.follow()
    expect(page.locator("button[data-action=submit]")).to_have_count(0)
    counts["submit"] = keys.tabs - sum(counts.values())
    sign_out(keys)

    # when Nadia, the approver, opens what waits for her and approves it
    sign_in(keys, APPROVER, APPROVER_PASSWORD)
    keys.tab_to("#nav-approvals")
    keys.follow()
    keys.skip_to_content()
    keys.tab_to("a.approval-card")
    keys.follow()
    keys.skip_to_content()
    keys.tab_to("button[data-action=approve]")
    keys.follow()
    expect(page.locator("#approvals-empty")).to_be_visible()
    counts["approve (Nadia, sign in included)"] = keys.tabs - sum(counts.values())
    sign_out(keys)

    # when Marie issues it
    sign_in(keys, server.USERNAME, server.PASSWORD)
    keys.tab_to("nav.mainnav a[href$='/invoices/']")
    keys.follow()
    keys.skip_to_content()
    keys.tab_to("#document-table tbody a")
    keys.follow()
    keys.skip_to_content()
    keys.tab_to("button[data-action=issue]")
    keys.follow()
    # then it has its legal number
    expect(page.locator("#document-status")).to_have_text("Émise")
    counts["issue (sign in included)"] = keys.tabs - sum(counts.values())

    counts["total"] = keys.tabs

    # and on a phone, its lines table scrolls sideways: a labelled region the keyboard reaches and scrolls
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    region = page.locator("#lines-region")
    assert region.get_attribute("role") == "region"
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    tabs_before = keys.tabs
    keys.tab_to("#lines-region")
    keys.press("ArrowRight", "scroll the lines sideways")
    page.wait_for_function("() => document.getElementById('lines-region').scrollLeft > 0")
    keys.tabs = tabs_before  # not part of the invoice's count
    print("\nkeyboard-only invoice, tab presses:", json.dumps(counts, ensure_ascii=False))  # noqa: T201
    REPORT.write_text(
        json.dumps(
            {"tabs": counts, "problems": keys.problems, "stops": keys.stops}, ensure_ascii=False, indent=1
        )
    )
    # and focus was visible, and not under the sticky bar, at every step
    assert keys.problems == []
    assert keys.tabs <= TAB_CEILING


def test_a_failed_save_takes_the_focus_to_a_summary_whose_links_lead_to_the_fields(page):
    from playwright.sync_api import expect

    keys = Keyboard(page)
    sign_in(keys, server.USERNAME, server.PASSWORD)
    # given a new invoice with a line but no customer
    page.goto("/invoices/new/")
    expect(page.locator("#id_customer")).to_be_focused()  # its first field
    keys.tab_to("#id_lines-0-description")
    keys.type("Conseil")
    # when it is saved from the keyboard
    keys.tab_to("#save-document")
    keys.follow("the failed save")
    # then the focus is on the summary of what to correct, shown where it can be seen
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(summary.locator("a[href='#id_customer']")).to_be_visible()
    # and its link takes the focus to the customer box, described by its error
    keys.tab_to("#error-summary a[href='#id_customer']")
    keys.press("Enter", "follow the summary's link")
    customer = page.locator("#id_customer")
    expect(customer).to_be_focused()
    expect(customer).to_have_attribute("aria-invalid", "true")
    error_id = customer.get_attribute("aria-describedby")
    assert error_id == "id_customer_error"
    expect(page.locator(f"#{error_id}")).to_be_visible()
    assert keys.problems == []

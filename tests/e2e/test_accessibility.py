"""The accessibility gate: axe-core checks every page of the staff UI against WCAG 2.1 A and AA, in French and
in English, on a desktop screen and on a 390 px phone, and the test fails on any violation, listing them.

axe-core comes from the npm registry at test time (pinned below, cached in ~/.cache/facturier/), never from the
repository; without npm or the network the gate is skipped and says why. The pages are listed in
accessibility_pages.py; test_accessibility_pages.py makes sure a new page cannot be forgotten there.
See docs/accessibility.md.
"""

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import accessibility_pages, server
from tests.e2e.accessibility_pages import FILES, NOT_PAGES, PAGES, Page

AXE_VERSION = "4.14.1"  # raise it on purpose: a new axe-core may bring new rules
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
# FACTURIER_A11Y_REPORT=<dir>: each run also writes its pages x violations as JSON there (for docs/accessibility.md)
REPORT_DIR = os.environ.get("FACTURIER_A11Y_REPORT")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One installer at a time: the two xdist workers share the cache."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's browser build, installed with npm into a cache folder on first use."""
    cache = (
        Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "facturier"
        / f"axe-core-{AXE_VERSION}"
    )
    script = cache / "node_modules" / "axe-core" / "axe.min.js"
    if not script.is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed, so axe-core cannot be fetched: apt-get install npm")
        cache.mkdir(parents=True, exist_ok=True)
        with _locked(cache / ".lock"):
            if not script.is_file():
                done = subprocess.run(  # noqa: S603
                    [npm, "install", "--prefix", str(cache), "--no-audit", "--no-fund", f"axe-core@{AXE_VERSION}"],
                    capture_output=True, text=True, timeout=300, check=False,
                )  # fmt: skip
                if done.returncode or not script.is_file():
                    pytest.skip(
                        f"npm could not install axe-core@{AXE_VERSION} (no network?): {done.stderr[-400:]}"
                    )
    return script.read_text()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    data_dir = tmp_path_factory.mktemp("facturier-a11y")
    with server.running(data_dir, accessibility_pages.SETUP) as url:
        yield url, accessibility_pages.read_ids(data_dir)


def sign_in(page: Any, username: str = server.USERNAME, password: str = "") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or accessibility_pages.PASSWORDS[username])
    page.click("button[type=submit].primary")
    page.wait_for_url("**/")


def sign_out(page: Any) -> None:
    """Forget the session (the language cookie stays): the next sign-in starts from the login page."""
    language = [cookie for cookie in page.context.cookies() if cookie["name"] == "django_language"]
    page.context.clear_cookies()
    page.context.add_cookies(language)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now, reduced to what a reader of the failure needs."""
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
            const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }""",
        AXE_TAGS,
    )
    return found


def reflow_violations(page: Any) -> list[dict[str, Any]]:
    """WCAG 1.4.10 (AA), which axe-core does not check: at 320 CSS px (a 1,280 px window at 400 % zoom) the page
    does not scroll sideways; wide tables scroll inside their own region."""
    phone = page.viewport_size
    page.set_viewport_size({"width": 320, "height": phone["height"]})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
    finally:
        page.set_viewport_size(phone)
    if width <= 320:
        return []
    node = {"target": "html", "summary": f"the page is {width} px wide at 320 px: it scrolls sideways"}
    return [
        {"id": "reflow", "impact": "serious", "help": "Content must reflow at 320 CSS px", "nodes": [node]}
    ]


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    lines = []
    for label, violations in found.items():
        for violation in violations:
            lines.append(f"{label}: {violation['id']} ({violation['impact']}) {violation['help']}")
            for node in violation["nodes"][:5]:
                summary = " ".join(node["summary"].split())[:300]
                lines.append(f"    {node['target']}: {summary}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def _save(language: str, width: str, found: dict[str, list[dict[str, Any]]]) -> None:
    if REPORT_DIR:
        counts = {
            label: {v["id"]: len(v["nodes"]) for v in violations} for label, violations in found.items()
        }
        Path(REPORT_DIR).mkdir(parents=True, exist_ok=True)
        Path(REPORT_DIR, f"axe-{language}-{width}.json").write_text(json.dumps(counts, indent=1))


INVOICE_EDITOR = Page("web:document-create", kwargs={"slug": "invoices"})


def _main_menu_open(page: Any, ids: dict[str, str]) -> None:
    page.goto("/")
    page.click("#nav-toggle")


def _user_menu_open(page: Any, ids: dict[str, str]) -> None:
    page.goto("/")
    page.click("#user-menu summary")


def _saved_empty(form: Page, button: str = "main button[type=submit].primary") -> Any:
    def reach(page: Any, ids: dict[str, str]) -> None:
        page.goto(form.url(ids))
        page.click(button)

    return reach


def _customer_saved(page: Any, ids: dict[str, str]) -> None:
    page.goto(Page("web:customer-edit", ids={"pk": "customer"}).url(ids))
    page.click("main button[type=submit].primary")
    page.locator(".messages").wait_for()


def _picker_open(page: Any, ids: dict[str, str]) -> None:
    page.goto(INVOICE_EDITOR.url(ids))
    page.locator("#id_customer").press_sequentially("boul")
    page.locator("#id_customer-suggestions [role=option]").first.wait_for()


def _company_members(page: Any, ids: dict[str, str]) -> None:
    """The company page as SETUP left it: Jules's sign-in is locked, Hugo has a second factor."""
    page.goto(Page("web:company-settings").url(ids))
    page.locator(".member-lock button[type=submit]").wait_for()
    page.locator(f"#two-factor-{accessibility_pages.ENROLLED} button[type=submit]").wait_for()


def _two_factor_set_up(page: Any, ids: dict[str, str]) -> None:
    """Ines sets up an authenticator: the recovery codes are shown once (she turns it off again below)."""
    from django_otp.oath import totp

    sign_out(page)
    sign_in(page, accessibility_pages.ENROLLING)
    page.goto(Page("web:two-factor-setup").url(ids))
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("#setup-form button[type=submit]")
    page.locator("#recovery-codes").wait_for()
    _recovery_codes[:] = page.locator("#recovery-codes code").all_inner_texts()


def _two_factor_account(page: Any, ids: dict[str, str]) -> None:
    page.goto(Page("web:two-factor-account").url(ids))


def _two_factor_wrong_code(page: Any, ids: dict[str, str]) -> None:
    page.goto(Page("web:two-factor-account").url(ids))
    page.fill("#id_regenerate-code", "000000")
    page.click("#regenerate button[type=submit]")
    page.locator("#regenerate .error, #regenerate [aria-invalid=true]").first.wait_for()


def _two_factor_turned_off(page: Any, ids: dict[str, str]) -> None:
    """Ines turns it off with a recovery code: the data is as SETUP left it."""
    page.goto(Page("web:two-factor-account").url(ids))
    page.fill("#id_disable-code", _recovery_codes.pop())
    page.click("#disable button[type=submit]")
    page.locator(".messages").wait_for()


def _login_locked(page: Any, ids: dict[str, str]) -> None:
    sign_out(page)
    page.goto("/login/")
    page.fill("#id_username", accessibility_pages.LOCKED)
    page.fill("#id_password", "any password")
    page.click("button[type=submit].primary")
    page.locator(".login-card .errors").wait_for()


def _no_company(page: Any, ids: dict[str, str]) -> None:
    """Signs Marie out: keep it the last state."""
    sign_out(page)
    sign_in(page, accessibility_pages.NEWCOMER)


_recovery_codes: list[str] = []


BOTH = set(WIDTHS)
# label -> (how to reach the state from any page, at which widths); none of them changes the data for good
STATES = {
    "dashboard, main menu open": (_main_menu_open, {"phone"}),
    "dashboard, account menu open": (_user_menu_open, BOTH),
    "customer-create, saved empty (errors)": (_saved_empty(Page("web:customer-create")), BOTH),
    "product-create, saved empty (errors)": (_saved_empty(Page("web:product-create")), BOTH),
    "document-create (invoices), saved empty (errors)": (
        _saved_empty(INVOICE_EDITOR, "#save-document"),
        BOTH,
    ),
    "inbox-upload, sent without a file (error)": (_saved_empty(Page("web:inbox-upload")), BOTH),
    "customer-edit, saved (confirmation)": (_customer_saved, BOTH),
    "document-create (invoices), customer suggestions": (_picker_open, BOTH),
    "company-settings, a member locked out and one with a second factor": (_company_members, BOTH),
    "two-factor-setup, set up (recovery codes shown once)": (_two_factor_set_up, BOTH),
    "two-factor-account of a member with a second factor": (_two_factor_account, BOTH),
    "two-factor-account, wrong code (error)": (_two_factor_wrong_code, BOTH),
    "two-factor-account, turned off (confirmation)": (_two_factor_turned_off, BOTH),
    "login, account locked (message)": (_login_locked, BOTH),
    "dashboard of a user in no company": (_no_company, BOTH),
}


def page_violations(page: Any, entry: Page, ids: dict[str, str], language: str, width: str) -> list[Any]:
    # when the page is shown
    response = page.goto(entry.url(ids))
    assert response is not None
    assert response.ok, f"{entry.label}: HTTP {response.status}"
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == (entry.language or language), entry.label
    # then axe-core finds nothing against WCAG 2.1 A and AA
    violations = axe_violations(page)
    if width == "phone":
        violations += reflow_violations(page)
    return violations


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_of_the_staff_ui_passes_axe_wcag_21_aa(site, axe_script, language, width):
    base_url, ids = site
    found: dict[str, list[dict[str, Any]]] = {}
    with server.browser_tab(base_url, viewport=WIDTHS[width]) as page:
        # given axe-core loaded in every page (an init script is not subject to the site's CSP)
        page.context.add_init_script(script=axe_script)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        signed_out = [entry for entry in PAGES if not entry.signed_in]
        marie = [entry for entry in PAGES if entry.signed_in and entry.user == server.USERNAME]
        others = sorted((entry for entry in PAGES if entry.signed_in and entry.user != server.USERNAME),
                        key=lambda entry: entry.user)  # fmt: skip
        for entry in signed_out:
            found[entry.label] = page_violations(page, entry, ids, language, width)
        sign_in(page)
        for entry in marie:
            found[entry.label] = page_violations(page, entry, ids, language, width)
        # and neither in the states a page reaches after a click: menus open, errors and confirmations shown
        for label, (reach, widths) in STATES.items():
            if width in widths:
                reach(page, ids)
                page.wait_for_load_state("networkidle")
                found[label] = axe_violations(page)
        # and the pages only other users reach (signing in is their first step)
        user = ""
        for entry in others:
            if entry.user != user:
                sign_out(page)
                user = entry.user
                page.goto("/login/")
                page.fill("#id_username", user)
                page.fill("#id_password", accessibility_pages.PASSWORDS[user])
                page.click("button[type=submit].primary")
                page.wait_for_load_state("networkidle")
            found[f"{entry.label} as {user}"] = page_violations(page, entry, ids, language, width)
            assert page.url.startswith(f"{base_url}{entry.url(ids)}"), f"{entry.label}: {page.url}"
        # and (the last user is Hugo) his second step when the recovery code he types is wrong
        assert user == accessibility_pages.ENROLLED
        page.click("details.recovery summary")
        page.fill("#id_recovery_code", "wrong-code")
        page.click("#recovery-form button[type=submit]")
        page.locator("#id_recovery_code[aria-invalid=true]").wait_for()
        found["two-factor-verify, wrong recovery code (error) as hugo"] = axe_violations(page)
    _save(language, width, found)
    failures = {label: violations for label, violations in found.items() if violations}
    assert not failures, f"axe-core ({language}, {width}):\n{report(failures)}"


def test_the_other_named_urls_render_no_page(site):
    """What NOT_PAGES and FILES say is no page is none: a GET is refused or answers something else than HTML."""
    base_url, ids = site
    with server.browser_tab(base_url) as page:
        sign_in(page)
        for entry in [page_ for _reason, page_ in NOT_PAGES.values()] + list(FILES):
            response = page.request.get(entry.url(ids), max_redirects=0)
            is_html = response.headers.get("content-type", "").startswith("text/html")
            assert not (response.ok and is_html), f"{entry.label} renders a page: add it to PAGES"

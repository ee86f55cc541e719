"""The project pages pass axe-core (WCAG 2.1 AA) in French and English and reflow at 320 px; progress is
recorded and reservations lifted with the keyboard alone (the whole gate, test_accessibility.py, visits them
too: this runs just these pages, faster)."""

import shutil

import pytest

from tests.e2e.accessibility_pages import PAGES
from tests.e2e.test_accessibility import (  # noqa: F401 - fixtures used by name
    axe_script,
    axe_violations,
    reflow_violations,
    report,
    sign_in,
    site,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed"),
]
PROJECT_PAGES = [entry for entry in PAGES if entry.name.startswith("web:project-")]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_project_pages_pass_axe_and_reflow_at_320_px(site, axe_script, language):  # noqa: F811
    from tests.e2e import server

    base_url, ids = site
    found = {}
    with server.browser_tab(base_url, viewport={"width": 390, "height": 844}) as page:
        page.context.add_init_script(script=axe_script)
        page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
        sign_in(page)
        assert len(PROJECT_PAGES) == 3
        for entry in PROJECT_PAGES:
            response = page.goto(entry.url(ids))
            assert response is not None, entry.label
            assert response.ok, entry.label
            page.wait_for_load_state("networkidle")
            found[entry.label] = axe_violations(page) + reflow_violations(page)
        # the forms of the project page, open (as after a refused save)
        page.goto(f"/projects/{ids['project']}/")
        for summary in page.locator("details > summary").all():
            summary.click()
        found["project-detail, forms open"] = axe_violations(page) + reflow_violations(page)
    failures = {label: violations for label, violations in found.items() if violations}
    assert not failures, report(failures)


def _tab_to(page, selector: str, limit: int = 80) -> int:
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return presses
    raise AssertionError(f"{selector} never got the focus")


def test_progress_and_lifting_reservations_with_the_keyboard_alone(site):  # noqa: F811
    from tests.e2e import server

    base_url, ids = site
    with server.browser_tab(base_url, viewport={"width": 320, "height": 800}) as page:
        sign_in(page)
        page.goto(f"/projects/{ids['project']}/")
        # when the progress form is opened and filled with the keyboard
        _tab_to(page, "#progress summary")
        page.keyboard.press("Enter")
        _tab_to(page, "#progress input[name=percent]")
        page.keyboard.type("35")
        _tab_to(page, "#progress button[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        # then the progress shows; and the reservations are lifted with Tab and Enter
        assert page.locator("#project-progress-bar").get_attribute("value") == "35.00"
        _tab_to(page, "#acceptance-table form button")
        with page.expect_navigation():  # the POST and its redirect (networkidle may come before they start)
            page.keyboard.press("Enter")
        page.wait_for_load_state("networkidle")
        assert page.locator("#acceptance-table form button").count() == 0
        assert page.locator("#milestones").get_by_text("Deux pages à corriger").count() == 0

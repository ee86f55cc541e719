"""The accessibility gate cannot forget a page: every named URL of the staff UI is either a page it checks or
listed with the reason it is no page (and the gate checks that reason on the running server)."""

from django.urls import URLPattern

from facturier.web import urls
from tests.e2e.accessibility_pages import FILES, NOT_PAGES, PAGES


def test_the_gate_lists_every_named_url_of_the_staff_ui():
    # given every named route of web/urls.py
    names = {pattern.name for pattern in urls.urlpatterns if isinstance(pattern, URLPattern) and pattern.name}
    # then each is checked by the gate or said to be no page, and nothing is listed that no longer exists
    listed = {page.name for page in PAGES} | set(NOT_PAGES) | {page.name for page in FILES}
    unlisted = names - listed
    assert not unlisted, f"add these pages to PAGES in tests/e2e/accessibility_pages.py: {sorted(unlisted)}"
    assert listed <= names, sorted(listed - names)


def test_a_route_is_either_a_page_or_not_a_page():
    page_names = {page.name for page in PAGES}
    assert not page_names & set(NOT_PAGES)
    for name, (reason, example) in NOT_PAGES.items():
        assert example.name == name
        assert reason

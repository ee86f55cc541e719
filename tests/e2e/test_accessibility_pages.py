"""The accessibility gate cannot forget a page: every named URL of the site's own pages (the staff UI and any
app included beside it later, such as the customer portal) is either a page the gate checks or listed with the
reason it is no page (and the gate checks that reason on the running server)."""

from django.urls import URLPattern, URLResolver, get_resolver

from tests.e2e.accessibility_pages import FILES, NOT_PAGES, PAGES

# Django's admin, the REST API (its own docs page included) and the language switch are not ours to gate here
NOT_OURS = ("admin/", "api/", "i18n/")


def named_urls(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            route = prefix + str(pattern.pattern)
            if route.startswith(NOT_OURS):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_urls(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def test_the_gate_lists_every_named_url_of_the_site():
    # given every named route of the site but the admin, the API and the language switch
    names = set(named_urls(get_resolver().url_patterns))
    assert "web:dashboard" in names
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

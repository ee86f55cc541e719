"""The document lists' filter fields (`{% filter_fields %}`, web/templatetags/facturier_rows.py) are what
`web/includes/field.html` writes for each, whether kept from an earlier page (empty) or rendered anew
(filled in or invalid), in both languages."""

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from facturier.web.templatetags import facturier_rows

SECTIONS = ("quotes", "orders", "invoices", "credit-notes")
FIELDS_TEMPLATE = (
    '{% include "web/includes/field.html" with field=filters.status %}\n'
    '  {% include "web/includes/field.html" with field=filters.customer %}\n'
    '  {% include "web/includes/field.html" with field=filters.date_from %}\n'
    '  {% include "web/includes/field.html" with field=filters.date_to %}'
)


def expected_fields(response, language: str) -> str:
    """The four fields as the list template wrote them before the tag, for the form the page used."""
    with translation.override(language):
        template = engines["django"].from_string(FIELDS_TEMPLATE)
        return template.render({"filters": response.context["filters"]})


def shown_fields(html: str) -> str:
    start = html.index("</div>", html.index('<form method="get" class="filters card"')) + len("</div>\n  ")
    return html[start : html.index('\n  <div class="field buttons">', start)]


@pytest.fixture
def fresh_cache():
    facturier_rows._empty_filters.clear()
    yield facturier_rows._empty_filters
    facturier_rows._empty_filters.clear()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_empty_filters_are_kept_per_list_and_language_and_stay_the_same(owner_client, fresh_cache, language):
    owner_client.cookies["django_language"] = language
    for slug in SECTIONS:
        url = reverse("web:document-list", kwargs={"slug": slug})
        # when the list is shown twice, and searched: the second and the search reuse what the first wrote
        first = owner_client.get(url)
        again, search = owner_client.get(url), owner_client.get(url, {"q": "Martin"})
        expected = expected_fields(first, language)
        assert shown_fields(first.content.decode()) == expected
        assert shown_fields(again.content.decode()) == expected
        assert shown_fields(search.content.decode()) == expected
    assert sorted(key[1:] for key in fresh_cache) == sorted((slug, language) for slug in SECTIONS)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_filled_in_or_invalid_filters_are_written_for_the_request(
    owner_client, customer, fresh_cache, language
):
    owner_client.cookies["django_language"] = language
    url = reverse("web:document-list", kwargs={"slug": "invoices"})
    for query in (
        {"status": "overdue"},
        {"customer": str(customer.pk)},
        {"date_from": "x"},
        {"status": "bogus"},
    ):
        response = owner_client.get(url, query)
        html = shown_fields(response.content.decode())
        assert html == expected_fields(response, language)
        assert fresh_cache == {}  # nothing kept from a filled-in form
    assert 'value="overdue" selected' in shown_fields(
        owner_client.get(url, {"status": "overdue"}).content.decode()
    )
    assert "Boulangerie Martin SARL" in shown_fields(
        owner_client.get(url, {"customer": str(customer.pk)}).content.decode()
    )
    # and the empty list shown afterwards is not one of them
    empty = owner_client.get(url)
    assert shown_fields(empty.content.decode()) == expected_fields(empty, language)
    assert "selected" not in shown_fields(empty.content.decode()).replace('value="" selected', "")

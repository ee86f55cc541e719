"""The rows of the document lists, written in Python in one tag.

A list page shows 25 rows of seven cells; written by the template language, each cell's variables,
filters and `{% url %}` were looked up node by node, which was the largest part of the page's CPU time
(issue 9: at 10 concurrent clients on 2 workers, a page must cost about 20 ms of CPU). This tag writes
the same HTML as the template did (`tests/web/test_document_rows.py` compares them), from the same
filters (`money`, `day`, `noun`, `status_badges`), escaping every value.
"""

from collections.abc import Iterable
from typing import Any

from django import template
from django.conf import settings
from django.forms import BoundField, Form
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, gettext_noop

from facturier.web.templatetags.facturier_format import day, escape_text, money, noun, status_badges

register = template.Library()

# The document list's filter fields written as `web/includes/field.html` writes them, then kept per (list,
# language) while they are empty and without error: what every list page and every search shows.
FILTER_FIELDS = ("status", "customer", "date_from", "date_to")
_empty_filters: dict[tuple[str, str, str], SafeString] = {}

# the template's {% blocktranslate trimmed %}: the same message id, so the same translations
DRAFT_LABEL = gettext_noop(", draft for %(customer)s, %(amount)s, created %(created)s")
_DETAIL_URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@register.simple_tag
def document_rows(documents: Iterable[Any], section: Any) -> SafeString:
    """Every `<tr>` of a document list (web/documents/list.html): number (a draft: what it is, and for
    screen readers its customer, amount and creation time), date, customer, status badges, amounts, and
    the due date on invoice lists. The detail URL is reversed once per page, not once per row."""
    due_column = section.credit_notes is False
    detail = reverse("web:document-detail", kwargs={"pk": _DETAIL_URL_PLACEHOLDER})
    return mark_safe("".join(_row(document, detail, due_column) for document in documents))  # noqa: S308 - every value is escaped


def _row(document: Any, detail: str, due_column: bool) -> str:
    escape = escape_text
    url = escape(detail.replace(_DETAIL_URL_PLACEHOLDER, str(document.pk)))
    amount = money(document.tax_inclusive, document.currency)
    name: str
    if document.number:
        name = escape(document.number)
    else:
        created = document.created_at
        if timezone.is_aware(created):
            created = timezone.localtime(created)
        words = gettext(DRAFT_LABEL) % {
            "customer": escape(document.customer.name),
            "amount": escape(amount),
            "created": escape(date_format(created, "SHORT_DATETIME_FORMAT")),
        }
        name = f'{escape(noun(document))}<span class="sr-only">{words}</span>'
    due = f"<td>{escape(day(document.due_date) or '—')}</td>" if due_column else ""
    return (
        f'\n    <tr>\n      <td><a href="{url}">{name}</a></td>\n'
        f"      <td>{escape(day(document.issue_date) or '—')}</td>\n"
        f"      <td>{escape(document.customer.name)}</td>\n"
        f"      <td>{status_badges(document)}</td>\n"
        f'      <td class="num">{escape(money(document.tax_exclusive, document.currency))}</td>\n'
        f'      <td class="num">{escape(amount)}</td>\n'
        f"      {due}\n    </tr>\n  "
    )


@register.simple_tag
def filter_fields(filters: Form, section: Any) -> SafeString:
    """The status, customer and date fields of a document list's filter form (web/documents/list.html),
    each as `web/includes/field.html` writes it.

    Rendered through Django's widget templates they cost about 2 ms of CPU per list page (issue 9); left
    empty (the list as first shown, a search by number or name), they are the same HTML for every page of
    a list in a language, so that HTML is kept and reused (not with DEBUG on, where templates are edited).
    A filled-in or invalid field is rendered each time. `tests/web/test_filter_fields.py` compares both."""
    fields = [filters[name] for name in FILTER_FIELDS]
    if settings.DEBUG or any(_filled(field) for field in fields):
        return _render_fields(fields)
    key = (type(filters).__qualname__, str(section.slug), get_language() or "")
    html = _empty_filters.get(key)
    if html is None:
        html = _empty_filters[key] = _render_fields(fields)
    return html


def _filled(field: BoundField) -> bool:
    """Whether the field shows something of this request: an error, a value sent or an initial value
    (read from the data as the widget reads it, never through `value()`, which would look a customer up)."""
    return bool(field.errors) or field.data not in (None, "") or field.initial not in (None, "")


def _render_fields(fields: list[BoundField]) -> SafeString:
    template = get_template("web/includes/field.html")
    return mark_safe("\n  ".join(template.render({"field": field}) for field in fields))  # noqa: S308 - rendered by the template, which escapes

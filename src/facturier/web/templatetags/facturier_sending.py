"""Where an invoice's sending stands, on its page and on the dashboard (kept apart from the page
templates so the sending part is edited in one place).

``{% sending_status document can_send %}`` shows a failed sending as an alert (what went wrong, in
the reader's language, when, and a retry button) or a sending still under way;
``{% sending_failures_card %}`` lists the company's invoices whose last sending failed.
"""

from typing import Any

from django import template

from facturier.invoicing.models import Kind
from facturier.transmission.failures import failure_label as label_of
from facturier.transmission.selectors import any_failed_sending, failed_sendings, latest_transmission

register = template.Library()
CARD_SIZE = 10
# What a row of the dashboard's card shows: not the whole sending, invoice and customer (the dashboard is
# the most visited page; issue 9: CPU per request)
CARD_FIELDS = ("document", "channel", "last_attempt_at", "document__number", "document__customer",
               "document__customer__name")  # fmt: skip


@register.filter
def failure_label(code: str) -> str:
    """A stored failure code (``connection_refused``) as an explanation in the page's language."""
    return label_of(str(code or ""))


@register.inclusion_tag("web/includes/sending_status.html", takes_context=True)
def sending_status(context: template.Context, document: Any, can_send: bool = False) -> dict[str, Any]:
    sendable = document.kind == Kind.INVOICE and document.is_sealed
    return {
        "document": document,
        "transmission": latest_transmission(document) if sendable else None,
        "can_send": can_send,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("web/includes/sending_failures.html", takes_context=True)
def sending_failures_card(context: template.Context) -> dict[str, Any]:
    entity = context.get("current_entity")
    if entity is None or not any_failed_sending(entity=entity):
        return {"failures": [], "total": 0}
    failures = failed_sendings(entity=entity)
    rows = list(failures.only(*CARD_FIELDS)[:CARD_SIZE])
    return {"failures": rows, "total": len(rows) if len(rows) < CARD_SIZE else failures.count()}

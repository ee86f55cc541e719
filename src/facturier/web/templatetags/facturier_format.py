"""Amounts and statuses as a French (or English) reader expects them: `1 234,50 €`."""

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal, format_percent
from django import template
from django.utils.translation import get_language, to_locale
from django.utils.translation import gettext_lazy as _

from facturier.domain.lifecycle import STATUSES
from facturier.transmission.models import ChannelName
from facturier.web.forms.parties import TERMS_LABELS
from facturier.web.labels import status_text

register = template.Library()


def babel_locale() -> str:
    return to_locale(get_language() or "fr")


@register.filter
def money(amount: Any, currency: str = "EUR") -> str:
    """Format an amount in the active language; empty for None."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    return str(format_currency(value, currency or "EUR", locale=babel_locale()))


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros: 3, 1,5, 0,25."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    return format_decimal(number, locale=babel_locale(), decimal_quantization=False)


@register.filter
def percent(value: Any) -> str:
    """A rate given in percent: `20 %` in French, `20%` in English, decimals kept (2,1 %)."""
    if value is None or value == "":
        return ""
    return str(format_percent(Decimal(str(value)) / 100, locale=babel_locale(), decimal_quantization=False))


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (pagination keeps the filters)."""
    params = context["request"].GET.copy()
    for name, value in changes.items():
        params[name] = value
    return str(params.urlencode())


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


EVENT_LABELS = {
    "created": _("Created"),
    "updated": _("Updated"),
    "deleted": _("Deleted"),
    "converted": _("Converted"),
    "submitted": _("Submitted for approval"),
    "approved": _("Approved"),
    "rejected": _("Rejected"),
    "issued": _("Issued"),
    "sent": _("Sent"),
    "payment_recorded": _("Payment recorded"),
    "disputed": _("Disputed"),
    "dispute_reason": _("Dispute reason"),
    "dispute_resolved": _("Dispute resolved"),
    "cancelled_by_credit_note": _("Cancelled by credit note"),
    "accepted": _("Accepted"),
    "declined": _("Declined"),
    "confirmed": _("Confirmed"),
    "lifecycle": _("Lifecycle status"),
    "transmission_requested": _("Sending requested"),
    "transmitted": _("E-invoice sent"),
    "transmission_failed": _("Sending failed"),
    "refused": _("Refused by the customer"),
}


@register.filter
def lifecycle_label(code: Any) -> str:
    """`210` -> "210 Refusée" (or "210 Refused" in English): the reform's status in the page's language."""
    try:
        info = STATUSES[int(code)]
    except (KeyError, TypeError, ValueError):
        return str(code)
    label = info.label_fr if (get_language() or "fr").startswith("fr") else info.label_en
    return f"{int(code)} {label}"


@register.filter
def channel_label(channel: str) -> str:
    """`chorus_pro` -> "Chorus Pro": the transmission channel as its users know it."""
    return str(dict(ChannelName.choices).get(channel, channel))


@register.filter
def event_label(action: str) -> str:
    """`invoice.issued` -> "Issued"; unknown actions are shown as they are."""
    return str(EVENT_LABELS.get(str(action).rpartition(".")[2], action))


@register.filter
def status_of(document: Any) -> str:
    """The document's status, in words agreeing with its kind (Devis émis, Facture émise)."""
    return status_text(document.status, document.kind, document.type_code)


@register.filter
def status_for(status: str, document: Any) -> str:
    """Another status (e.g. before/after in the history) as worded for this document."""
    return status_text(status, document.kind, document.type_code)


@register.filter
def split(value: str) -> list[str]:
    return str(value).split()


@register.filter
def field(form: Any, name: str) -> Any:
    """`form|field:"name"`: a bound field by a name held in a variable."""
    return form[name]


@register.filter
def terms_label(code: str) -> str:
    return str(TERMS_LABELS.get(code, code))

"""Amounts, dates, rates and codes as a French (or English) reader expects them: `1 234,50 €`, `06/12/2026`,
`TVA 20 %`, `Avoir`. The one place where the staff UI turns values into text (Babel, Decimal in, never float).
"""

import datetime as dt
import functools
from decimal import Decimal
from html import escape as html_escape
from typing import Any

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_percent, get_currency_precision, get_currency_symbol
from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from facturier.documents.labels import vat_category_label
from facturier.domain.lifecycle import STATUSES
from facturier.transmission.models import ChannelName
from facturier.web.forms.parties import TERMS_LABELS
from facturier.web.labels import (
    document_noun,
    event_text,
    scheme_text,
    severity_text,
    status_text,
    type_code_text,
)
from facturier.web.numbers import format_number, ui_language

register = template.Library()

# English pages read day first (en_GB), like the PDF: 6 Dec 2026, never 12/6/2026.
LOCALES = {"fr": Locale.parse("fr_FR"), "en": Locale.parse("en_GB")}
DATE_PATTERNS = {"fr": "dd/MM/yyyy", "en": "d MMM yyyy"}
MOMENT_PATTERNS = {"fr": "dd/MM/yyyy HH:mm", "en": "d MMM yyyy, HH:mm"}


def babel_locale() -> Locale:
    return LOCALES[ui_language()]


def as_decimal(value: Any) -> Decimal | None:
    """A template value as a Decimal: Decimal, int or a decimal string; a float is a bug, not an amount."""
    if value is None or value == "":
        return None
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    return value if isinstance(value, Decimal) else Decimal(str(value))


@register.filter
def money(amount: Any, currency: str = "EUR") -> str:
    """`1 234,56 €` / `€1,234.56`, with the currency's own decimals (JPY none); empty for None."""
    value = as_decimal(amount)
    if value is None:
        return ""
    language = ui_language()
    shape = _money_shape(currency or "EUR", language)
    if shape is None:
        return str(format_currency(value, currency or "EUR", locale=LOCALES[language]))
    return _apply_shape(shape, value)


_MoneyShape = tuple[Decimal, int, str, str, tuple[str, str], tuple[str, str]]
_MONEY_SAMPLES = tuple(
    Decimal(v) for v in ("0", "-0.004", "0.5", "-1234.5", "1234567.891", "-98765432.125", "7")
)


def _apply_shape(shape: _MoneyShape, value: Decimal) -> str:
    exponent, digits, group, decimal, prefixes, suffixes = shape
    negative = int(value < 0)
    text = f"{abs(value).quantize(exponent):,.{digits}f}"
    if group != "," or decimal != ".":
        text = text.replace(",", "\0").replace(".", decimal).replace("\0", group)
    return f"{prefixes[negative]}{text}{suffixes[negative]}"


@functools.lru_cache(maxsize=64)
def _money_shape(currency: str, language: str) -> _MoneyShape | None:
    """How Babel writes amounts of `currency` in `language` (symbols, separators, decimals), read once so
    that `money` costs a few microseconds instead of Babel's pattern machinery on every call (a list page
    formats about fifty amounts). Kept only when it gives Babel's output on sample amounts; else None and
    `money` asks Babel every time."""
    locale = LOCALES[language]
    try:
        pattern = locale.currency_formats["standard"]
        symbols = locale.number_symbols["latn"]
        symbol = get_currency_symbol(currency, locale)
        digits = get_currency_precision(currency)
    except (KeyError, ValueError):
        return None
    prefixes = (pattern.prefix[0].replace("¤", symbol), pattern.prefix[1].replace("¤", symbol))
    suffixes = (pattern.suffix[0].replace("¤", symbol), pattern.suffix[1].replace("¤", symbol))
    shape = (Decimal(1).scaleb(-digits), digits, symbols["group"], symbols["decimal"], prefixes, suffixes)
    for sample in _MONEY_SAMPLES:
        if _apply_shape(shape, sample) != format_currency(sample, currency, locale=locale):
            return None
    return shape


@register.filter
def quantity(value: Any) -> str:
    """A quantity without trailing zeros: 3, 1,5, 0,25."""
    number = as_decimal(value)
    return "" if number is None else format_number(number)


@register.filter
def percent(value: Any) -> str:
    """A rate given in percent: `20 %` in French, `20%` in English, decimals kept (2,1 %)."""
    number = as_decimal(value)
    if number is None:
        return ""
    return str(format_percent(number / 100, locale=babel_locale(), decimal_quantization=False))


@register.filter
def day(value: dt.date | None) -> str:
    """A date, day first in both languages: `06/12/2026`, `6 Dec 2026`; empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    language = ui_language()
    months = _day_months(language)
    if months is None:
        return str(format_date(value, DATE_PATTERNS[language], locale=LOCALES[language]))
    return _apply_day(language, months, value)


_DAY_SAMPLES = tuple(
    dt.date(year, month, day) for year in (2026, 987) for month in range(1, 13) for day in (1, 28)
)


def _apply_day(language: str, months: tuple[str, ...], value: dt.date) -> str:
    if language == "fr":  # dd/MM/yyyy
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return f"{value.day} {months[value.month]} {value.year:04d}"  # en: d MMM yyyy


@functools.lru_cache(maxsize=8)
def _day_months(language: str) -> tuple[str, ...] | None:
    """The month abbreviations `day` writes in `language`, read from Babel once: a list page writes about
    fifty dates, and Babel's pattern machinery costs tens of microseconds each. Kept only when the
    shortcut gives Babel's output on sample dates (every month, a short year); else None and `day` asks
    Babel every time."""
    locale = LOCALES[language]
    months = ("", *(str(locale.months["format"]["abbreviated"][m]) for m in range(1, 13)))
    for sample in _DAY_SAMPLES:
        if _apply_day(language, months, sample) != format_date(
            sample, DATE_PATTERNS[language], locale=locale
        ):
            return None
    return months


@register.filter
def moment(value: dt.datetime | None) -> str:
    """A point in time in the current time zone: `06/12/2026 14:05`, `6 Dec 2026, 14:05`."""
    if value is None or value == "":
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return str(format_datetime(local, MOMENT_PATTERNS[ui_language()], locale=babel_locale()))


@register.filter
def vat_label(category: str, rate: Any = None) -> str:
    """`S` 20 -> `TVA 20 %`; other categories by name (`Autoliquidation`, `Exonéré`), their 0 % left out."""
    label = vat_category_label(str(category or "S"), ui_language())
    if str(category or "S") in ("S", "L", "M") and as_decimal(rate) is not None:
        return f"{label} {percent(rate)}"
    return label


@register.filter
def country_name(code: str) -> str:
    """`BE` -> `Belgique` / `Belgium`; an unknown code is shown as it is."""
    if not code:
        return ""
    return str(babel_locale().territories.get(str(code).upper(), code))


@register.filter
def currency_name(code: str) -> str:
    """`EUR` -> `euro (EUR)`: the name, with the ISO code accountants also use."""
    if not code:
        return ""
    name = babel_locale().currencies.get(str(code).upper())
    return f"{name} ({code})" if name else str(code)


@register.filter
def type_code_label(code: str) -> str:
    """UNTDID 1001 document type (BT-3): `380` -> `Facture`, `381` -> `Avoir`."""
    return type_code_text(str(code or ""))


@register.filter
def noun(document: Any) -> str:
    """What the document is called: Facture, Avoir, Facture d'acompte, Facture rectificative, Devis, Commande."""
    return document_noun(document.kind, document.type_code)


@register.filter
def doc_title(document: Any) -> str:
    """`Avoir AV-2026-00001`, or `Avoir (brouillon)` before it has a number."""
    name = document_noun(document.kind, document.type_code)
    if document.number:
        return f"{name} {document.number}"
    return f"{name} ({_('draft')})"


@register.filter
def scheme_label(code: str) -> str:
    return scheme_text(str(code or ""))


@register.filter
def severity_label(severity: str) -> str:
    return severity_text(str(severity or ""))


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
    "payment_unallocated": _("Payment unallocated"),
    "payment_refunded": _("Refunded"),
    "exchange_difference": _("Exchange difference written off"),
    "receipt_sent": _("Receipt emailed"),
    "offset": _("Applied to another invoice"),
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
def event_for(action: str, document: Any) -> str:
    """`invoice.issued` on a credit note -> "Émis", on an invoice -> "Émise"; other events as `event_label`."""
    name = str(action).rpartition(".")[2]
    return event_text(name, document.kind, document.type_code) or event_label(action)


@register.filter
def status_of(document: Any) -> str:
    """The document's status, in words agreeing with its kind (Devis émis, Facture émise)."""
    return status_text(document.status, document.kind, document.type_code)


@register.filter
def settlement_of(document: Any) -> str:
    """How far an issued invoice is paid ("Payée", "Partiellement payée"); "" when that says nothing:
    a draft, a quote, a credit note, or an invoice nobody has paid yet (its status says enough)."""
    settlement = getattr(document, "settlement", None)
    if (
        not document.is_sealed
        or document.is_credit_note
        or document.kind != "invoice"
        or settlement in (None, "unpaid")
    ):
        return ""
    return status_text(settlement, document.kind, document.type_code)


@register.simple_tag
def status_badges(document: Any) -> str:
    """The status badges of a row in a list: its status, how far it is paid, overdue (what
    `includes/status.html` shows, without a template include per row). Written as `format_html` would
    write them, with a plain string's escaping inlined (a list page writes 75 of these)."""
    html = (
        f'<span class="badge status-{escape_text(document.status)}">{escape_text(status_of(document))}</span>'
    )
    paid = settlement_of(document)
    if paid:
        settlement = escape_text(getattr(document, "settlement", ""))
        html += f' <span class="badge status-{settlement}">{escape_text(paid)}</span>'
    if getattr(document, "overdue", False):
        html += f' <span class="badge overdue">{escape_text(_("Overdue"))}</span>'
    return mark_safe(html)  # noqa: S308 - every value is escaped


def escape_text(value: Any) -> str:
    """`conditional_escape(value)` as a plain string, without its wrappers for the common case of a
    plain `str` (the same `html.escape`)."""
    if type(value) is str:
        return html_escape(value)
    return str(conditional_escape(value))


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

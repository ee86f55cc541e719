"""The file an invoice leaves as, and the message around it.

The Factur-X PDF stored at issue (``facturier.documents.files.issued_pdf``: the bytes every reader gets,
never re-rendered from live data); when the documents app is not installed, the entity's e-invoice XML
(``facturier.invoicing.einvoice.document_xml``). Both are looked up at call time so this app does not
force an import order on the apps it relies on.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency
from django.utils import translation
from django.utils.translation import gettext as _

from facturier.invoicing.models import Document
from facturier.transmission.base import Delivery, Payload
from facturier.transmission.routing import Route


def _optional(module: str, name: str) -> Any | None:
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


def safe_filename(number: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "-", number) or "facture"


def build_payload(document: Document) -> Payload:
    base = safe_filename(document.number)
    issued_pdf = _optional("facturier.documents.files", "issued_pdf")
    if issued_pdf is not None:
        return Payload(issued_pdf(document), f"{base}.pdf", "facturx", "application/pdf")
    document_xml = _optional("facturier.invoicing.einvoice", "document_xml")
    entity_format = _optional("facturier.invoicing.einvoice", "entity_format")
    if document_xml is None:
        raise RuntimeError("Neither the Factur-X renderer nor the e-invoice XML serializer is installed")
    syntax, profile = entity_format(document) if entity_format else ("cii", None)
    return Payload(
        document_xml(document, syntax=syntax, profile=profile), f"{base}.xml", syntax, "application/xml"
    )


def build_delivery(document: Document, route: Route, payload: Payload) -> Delivery:
    entity, customer = document.entity, document.customer
    language = document.language or "fr"
    locale = {"fr": "fr_FR", "en": "en_GB"}.get(language, language)
    with translation.override(language):
        title = _("Credit note") if document.is_credit_note else _("Invoice")
        subject = f"{title} {document.number} – {entity.name}"
        body = _(
            "Hello,\n\nPlease find attached your %(title)s %(number)s of %(amount)s, due on %(due)s.\n\n"
            "Best regards,\n%(seller)s"
        ) % {
            "title": title.lower(), "number": document.number,
            "amount": format_currency(document.tax_inclusive, document.currency, locale=locale),
            "due": format_date(document.due_date, format="long", locale=locale) if document.due_date else "-",
            "seller": entity.name,
        }  # fmt: skip
        pay_url = _optional("facturier.payments.online", "pay_url")
        link = pay_url(document) if pay_url is not None and not document.is_credit_note else None
        if link:  # before the signature
            head, _sep, signature = body.rpartition("\n\n")
            line = _("Pay online: %(url)s") % {"url": link}
            body = f"{head}\n\n{line}\n\n{signature}"
    return Delivery(
        number=document.number,
        recipient=route.recipient,
        payload=payload,
        subject=subject,
        body=body,
        seller_siret=entity.siret,
        buyer_siret=customer.siret,
        service_code=customer.service_code,
        reply_to=entity.email,
    )

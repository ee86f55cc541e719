"""Render a document to PDF: issued invoices and credit notes as Factur-X (PDF/A-3B + XML).

Quotes, orders and draft invoices are printed as PDF/A-3B without XML: a draft has no
number yet, so it carries a "draft" watermark and is never a valid e-invoice.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import typst

from facturier.documents.branding import document_logo
from facturier.documents.context import build_context
from facturier.documents.engine import Attachment, compile_pdf, workspace
from facturier.documents.epc import epc_payload, epc_qr_svg
from facturier.domain.facturx import XML_FILENAME, FacturXMetadata, add_facturx_metadata
from facturier.invoicing.einvoice import document_xml
from facturier.invoicing.models import Document, Kind

logger = logging.getLogger(__name__)

TEMPLATE = "document.typ"


def facturx_profile(document: Document) -> str:
    """The entity's Factur-X profile: EN 16931 unless it chose EXTENDED."""
    return (getattr(document.entity, "facturx_profile", "") or "EN16931").upper()


def is_facturx(document: Document) -> bool:
    """Only numbered invoices and credit notes are e-invoices."""
    return document.kind == Kind.INVOICE and bool(document.number)


def epc_qr_for(document: Document) -> str | None:
    """The SEPA transfer QR of an invoice with something to pay in euros to an IBAN."""
    if not is_facturx(document) or document.is_credit_note or document.currency != "EUR":
        return None
    seller = document.seller_snapshot or {}
    iban = seller.get("iban") or document.entity.iban
    if not iban or document.payable <= Decimal("0"):
        return None
    payload = epc_payload(
        name=seller.get("name") or document.entity.name,
        iban=iban,
        bic=seller.get("bic") or document.entity.bic,
        amount=document.payable,
        remittance=document.number,
    )
    return epc_qr_svg(payload)


def _logo(document: Document) -> str | None:
    logo = document_logo(document)
    return None if logo is None else workspace().image(*logo)


def _timestamp(document: Document) -> dt.datetime:
    moment = document.issued_at or document.updated_at or dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0)


def render_pdf(document: Document, *, xml: bytes | None = None, profile: str | None = None) -> bytes:
    """The PDF of a document; for an issued invoice or credit note, a Factur-X PDF/A-3B.

    `xml` and `profile` default to the entity's Factur-X profile and the document's own CII
    (`facturier.invoicing.einvoice.document_xml`); tests and exports may pass them.
    """
    qr = epc_qr_for(document)
    data = build_context(document, qr=qr is not None, logo=_logo(document))
    inputs = {"qr": qr or ""}
    if not is_facturx(document):
        return _compile(data, (), inputs, _timestamp(document))
    chosen = (profile or facturx_profile(document)).upper()
    if xml is None:
        xml = document_xml(document, syntax="cii", profile=chosen)
    attachment = Attachment(name=XML_FILENAME, content=xml.decode("utf-8"), description="Factur-X invoice")
    pdf = _compile(data, (attachment,), inputs, _timestamp(document))
    return add_facturx_metadata(pdf, FacturXMetadata.for_profile(chosen))


def _compile(data: dict[str, object], attachments: tuple[Attachment, ...], inputs: dict[str, str],
             timestamp: dt.datetime) -> bytes:  # fmt: skip
    try:
        return compile_pdf(TEMPLATE, data, attachments=attachments, extra_inputs=inputs, timestamp=timestamp)
    except typst.TypstError:
        if data.get("logo") is None:
            raise
        logger.warning("rendering with the logo failed; rendering without it", exc_info=True)
        return compile_pdf(TEMPLATE, {**data, "logo": None}, attachments=attachments, extra_inputs=inputs,
                           timestamp=timestamp)  # fmt: skip

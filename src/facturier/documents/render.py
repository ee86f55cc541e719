"""Render a document to PDF: issued invoices and credit notes as Factur-X (PDF/A-3B + XML).

The printed content and the embedded XML come from one EN 16931 model: the XML given (the CII stored
at issue) is parsed back and printed, or the document is mapped to the model which is then both
serialized and printed. The look comes from the branding snapshotted at issue. So the PDF of an
issued document says what its XML says, and rendering it again, today or in ten years, after the
company changed its logo, colours, footer or mentions, gives the same content.

Quotes, orders and draft invoices are printed as PDF/A-3B without XML: a draft has no
number yet, so it carries a "draft" watermark and is never a valid e-invoice.

This module uses the pure format work of ``facturier.domain.formats`` (not ``invoicing.einvoice``,
which is about validation and reports), so rendering and e-invoicing never import each other.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import typst

from facturier.documents.branding import Branding, document_branding
from facturier.documents.context import build_context
from facturier.documents.engine import Attachment, compile_pdf, workspace
from facturier.documents.epc import MAX_AMOUNT as EPC_MAX_AMOUNT
from facturier.documents.epc import epc_payload, epc_qr_svg, invoice_creditor_reference
from facturier.domain.en16931 import model as m
from facturier.domain.facturx import XML_FILENAME, FacturXMetadata, add_facturx_metadata
from facturier.domain.formats import detect_and_parse
from facturier.domain.formats.outgoing import declared_profile, invoice_xml
from facturier.domain.formats.outgoing import facturx_profile as chosen_profile
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.to_en16931 import document_to_en16931

logger = logging.getLogger(__name__)

TEMPLATE = "document.typ"
ONE_PAGE_LINES = 15
"""Up to this many lines, a document is first compiled as fitting on one page (the bench's one-page
invoices have up to 12 lines); one that does not (a long note, long descriptions) is compiled again."""


def facturx_profile(document: Document) -> str:
    """The entity's Factur-X profile: EN 16931 unless it chose EXTENDED."""
    return chosen_profile(getattr(document.entity, "facturx_profile", ""))


def is_facturx(document: Document) -> bool:
    """Only numbered invoices and credit notes are e-invoices."""
    return document.kind == Kind.INVOICE and bool(document.number)


def _epc_qr(document: Document, invoice: m.Invoice) -> str | None:
    """The SEPA transfer QR of an invoice with something to pay in euros to an IBAN (all from the XML).

    None above the EPC069-12 ceiling (EUR 999,999,999.99): such an amount cannot be put in the code, and a
    code without the amount would invite a wrong transfer; the bank details stay printed in words."""
    if not is_facturx(document) or invoice.is_credit_note or invoice.currency_code != "EUR":
        return None
    instructions = invoice.payment_instructions
    if instructions is None or not instructions.credit_transfers:
        return None
    if not Decimal(0) < invoice.totals.amount_due <= EPC_MAX_AMOUNT:
        return None
    transfer = instructions.credit_transfers[0]
    payload = epc_payload(
        name=transfer.account_name or invoice.seller.name,
        iban=transfer.account_id,
        bic=transfer.service_provider_id or "",
        amount=invoice.totals.amount_due,
        remittance=instructions.remittance_information or invoice.number,
        reference=invoice_creditor_reference(invoice.number),
    )
    return epc_qr_svg(payload)


def epc_qr_for(document: Document, invoice: m.Invoice | None = None) -> str | None:
    """The SEPA transfer QR printed on the document (``invoice``: its model, mapped if not given)."""
    return _epc_qr(document, invoice if invoice is not None else document_to_en16931(document))


def _logo(branding: Branding) -> str | None:
    return None if branding.logo is None else workspace().image(*branding.logo)


def _timestamp(document: Document) -> dt.datetime:
    moment = document.issued_at or document.updated_at or dt.datetime.now(dt.UTC)
    return moment.replace(microsecond=0)


def render_pdf(
    document: Document,
    *,
    xml: bytes | None = None,
    profile: str | None = None,
    branding: Branding | None = None,
) -> bytes:
    """The PDF of a document; for an issued invoice or credit note, a Factur-X PDF/A-3B.

    ``xml``: the CII to embed (the one stored at issue); the PDF then prints what it says, in the
    profile it declares unless ``profile`` is given. Without it, the document's EN 16931 mapping is
    serialized in ``profile`` (by default the entity's Factur-X profile) and printed. ``branding``:
    the document's (``document_branding``) when the caller already has it.
    """
    if xml is not None and is_facturx(document):
        invoice = detect_and_parse(xml)
        chosen = (profile or declared_profile(invoice)).upper()
    else:
        invoice = document_to_en16931(document)
        chosen = (profile or facturx_profile(document)).upper()
    branding = branding if branding is not None else document_branding(document)
    qr = _epc_qr(document, invoice)
    data = build_context(document, invoice, branding=branding, qr=qr is not None, logo=_logo(branding))
    inputs: dict[str, str | bytes] = {} if qr is None else {"qr.svg": qr}
    one_page = likely_one_page(invoice)
    if not is_facturx(document):
        return _compile(data, (), inputs, _timestamp(document), one_page=one_page)
    if xml is None:
        xml = invoice_xml(invoice, syntax="cii", profile=chosen)
    attachment = Attachment(name=XML_FILENAME, content=xml.decode("utf-8"), description="Factur-X invoice")
    pdf = _compile(data, (attachment,), inputs, _timestamp(document), one_page=one_page)
    return add_facturx_metadata(pdf, FacturXMetadata.for_profile(chosen))


def likely_one_page(invoice: m.Invoice) -> bool:
    """Whether to compile first as a one-page document (``engine.compile_pdf``); a wrong guess only costs
    a second compilation, never a wrong page count."""
    return len(invoice.lines) <= ONE_PAGE_LINES


def _compile(data: dict[str, object], attachments: tuple[Attachment, ...], inputs: dict[str, str | bytes],
             timestamp: dt.datetime, *, one_page: bool = False) -> bytes:  # fmt: skip
    try:
        return compile_pdf(TEMPLATE, data, attachments=attachments, extra_files=inputs, timestamp=timestamp,
                           one_page=one_page)  # fmt: skip
    except typst.TypstError:
        if data.get("logo") is None:
            raise
        logger.warning("rendering with the logo failed; rendering without it", exc_info=True)
        return compile_pdf(TEMPLATE, {**data, "logo": None}, attachments=attachments, extra_files=inputs,
                           timestamp=timestamp, one_page=one_page)  # fmt: skip

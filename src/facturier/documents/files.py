"""What a download, an export or a transmission hands out: the stored bytes of an issued document.

An issued invoice or credit note is never rendered again from live data: its XML is the one validated
at issue, its PDF the one rendered once after it. Only what is not issued (a draft's watermarked
preview, a quote, an order) is rendered on each request.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from facturier.documents.issued import ensure_pdf, has_issued_files
from facturier.documents.models import FileKind
from facturier.documents.stored import CONTENT_TYPES, read_file, stored_at_issue, stored_file
from facturier.invoicing.einvoice import NotIssued, document_filename
from facturier.invoicing.models import Document


def _base_name(document: Document) -> str:
    return (document.number or f"draft-{document.pk}").replace("/", "-")


def issued_pdf(document: Document) -> bytes:
    """The stored Factur-X PDF (rendered and stored now if its task has not run yet)."""
    return read_file(ensure_pdf(document))


def issued_xml(document: Document, kind: FileKind) -> bytes | None:
    """The stored XML of that kind; for a document issued before files were stored, serialized now
    (and None for a PEPPOL variant its buyer cannot receive)."""
    stored = stored_file(document, kind)
    if stored is not None:
        return read_file(stored)
    if stored_at_issue(document):  # stored at issue, but not in this kind (a buyer not on PEPPOL)
        return None
    from facturier.documents.render import facturx_profile
    from facturier.domain.formats.outgoing import invoice_xml, peppol_recipient
    from facturier.invoicing.to_en16931 import document_to_en16931

    invoice = document_to_en16931(document)
    if kind == FileKind.CII:
        return invoice_xml(invoice, syntax="cii", profile=facturx_profile(document))
    if kind == FileKind.PEPPOL:
        if peppol_recipient(invoice) is None:
            return None
        return invoice_xml(invoice, syntax="ubl", profile="PEPPOL")
    return invoice_xml(invoice, syntax="ubl")


def stored_xml(document: Document) -> dict[str, bytes] | None:
    """The XML files stored at issue by kind (what a validation report of an issued document checks),
    or None when there are none (a draft, or a document issued before files were stored)."""
    rows = document.stored_files.filter(kind__in=(FileKind.CII, FileKind.UBL, FileKind.PEPPOL))
    files = {row.kind: read_file(row) for row in rows}
    return files or None


def document_file(document: Document, fmt: str) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a document as ``pdf``, ``cii`` or ``ubl``.

    The PDF of an issued invoice is its stored Factur-X; a draft's PDF is a watermarked preview.
    """
    if fmt not in ("pdf", "cii", "ubl"):
        raise ValueError(f"unknown format {fmt!r}")
    if fmt == "pdf":
        if has_issued_files(document):
            return issued_pdf(document), "application/pdf", f"{_base_name(document)}.pdf"
        from facturier.documents.render import render_pdf

        return render_pdf(document), "application/pdf", f"{_base_name(document)}.pdf"
    if not document.is_sealed:
        raise NotIssued(
            _("%(document)s is not issued yet: its e-invoice XML does not exist.") % {"document": document}
        )
    kind = FileKind(fmt)
    content = issued_xml(document, kind)
    if content is None:  # cannot happen for cii/ubl, which are always stored together
        raise NotIssued(
            _("%(document)s is not issued yet: its e-invoice XML does not exist.") % {"document": document}
        )
    return content, CONTENT_TYPES[kind], document_filename(document, "ubl" if fmt == "ubl" else "cii")

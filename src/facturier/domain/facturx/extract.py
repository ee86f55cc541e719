"""Reading the XML invoice out of a Factur-X / ZUGFeRD PDF, refusing ambiguous or broken files.

A hybrid invoice carries exactly one invoice XML. A PDF with none, or with several candidate
XML files, is refused with a clear message rather than guessing which one is the invoice.
"""

from __future__ import annotations

import io

import pikepdf

from facturier.domain.facturx.errors import FacturXError

INVOICE_XML_NAMES = frozenset({"factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml"})
"""File names the Factur-X 1.0 / ZUGFeRD 2.x specifications give the embedded invoice XML."""

DEFAULT_MAX_PDF_BYTES = 30 * 1024 * 1024
DEFAULT_MAX_XML_BYTES = 20 * 1024 * 1024


def open_pdf(data: bytes, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES) -> pikepdf.Pdf:
    """Open untrusted bytes as a PDF or raise FacturXError (size limit, not a PDF, encrypted...)."""
    if len(data) > max_bytes:
        raise FacturXError(f"the PDF is {len(data)} bytes, over the {max_bytes} bytes limit")
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise FacturXError("not a PDF file (no %PDF- header)")
    try:
        return pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as error:
        raise FacturXError("the PDF is encrypted") from error
    except (pikepdf.PdfError, ValueError, RuntimeError) as error:
        raise FacturXError(f"unreadable PDF: {error}") from error


def embedded_files(document: pikepdf.Pdf, *, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> dict[str, bytes]:
    """Every file of the EmbeddedFiles name tree, by file name; oversize files are refused."""
    found: dict[str, bytes] = {}
    try:
        for name, spec in document.attachments.items():
            stream = spec.get_file()
            size = stream.size
            if size > max_bytes:
                raise FacturXError(f"embedded file {name!r} is {size} bytes, over the {max_bytes} limit")
            data = stream.read_bytes()
            if len(data) > max_bytes:
                raise FacturXError(f"embedded file {name!r} is over the {max_bytes} bytes limit")
            found[str(name)] = data
    except (pikepdf.PdfError, KeyError, AttributeError, TypeError) as error:
        raise FacturXError(f"unreadable embedded files: {error}") from error
    return found


def extract_invoice_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_PDF_BYTES) -> tuple[str, bytes]:
    """(file name, XML bytes) of the one invoice XML embedded in a hybrid PDF."""
    with open_pdf(data, max_bytes=max_bytes) as document:
        files = embedded_files(document)
    candidates = {name: body for name, body in files.items() if name.lower() in INVOICE_XML_NAMES}
    if not candidates:
        xml_files = {name: body for name, body in files.items() if name.lower().endswith(".xml")}
        if len(xml_files) == 1:
            candidates = xml_files
    if not candidates:
        raise FacturXError("the PDF carries no invoice XML (expected an embedded factur-x.xml)")
    if len(candidates) > 1:
        raise FacturXError(f"the PDF carries several invoice XML files: {', '.join(sorted(candidates))}")
    ((name, body),) = candidates.items()
    return name, body

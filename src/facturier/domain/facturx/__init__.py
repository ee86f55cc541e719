"""Factur-X PDF plumbing: XMP `fx:` metadata, structural checks, extraction of the embedded XML.

The PDF itself (PDF/A-3B, the attached `factur-x.xml`) is produced by Typst in
`facturier.documents`; this package only touches what Typst cannot do and reads PDFs back.
"""

from facturier.domain.facturx.errors import FacturXError
from facturier.domain.facturx.extract import INVOICE_XML_NAMES, embedded_files, extract_invoice_xml, open_pdf
from facturier.domain.facturx.inspect import PdfStructure, inspect_pdf
from facturier.domain.facturx.xmp import (
    CONFORMANCE_LEVELS,
    FX_NS,
    XML_FILENAME,
    FacturXMetadata,
    add_facturx_metadata,
    merge_facturx_xmp,
)

__all__ = [
    "CONFORMANCE_LEVELS",
    "FX_NS",
    "INVOICE_XML_NAMES",
    "XML_FILENAME",
    "FacturXError",
    "FacturXMetadata",
    "PdfStructure",
    "add_facturx_metadata",
    "embedded_files",
    "extract_invoice_xml",
    "inspect_pdf",
    "merge_facturx_xmp",
    "open_pdf",
]

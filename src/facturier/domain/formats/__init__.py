"""Invoice syntaxes behind one Protocol: CII (Factur-X) and UBL, plus root-element detection.

invoice = detect_and_parse(data)            # any supported XML -> model
xml = CiiFormat().serialize(invoice, profile="EN16931")
"""

from __future__ import annotations

from typing import Protocol

from facturier.domain.en16931.model import Invoice
from facturier.domain.formats.cii import CiiFormat
from facturier.domain.formats.cii.namespaces import ROOT_TAG as CII_ROOT
from facturier.domain.formats.cii.parser import read_cii
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.profiles import AUTO
from facturier.domain.formats.safe_xml import DEFAULT_MAX_BYTES, parse_xml
from facturier.domain.formats.ubl import UblFormat
from facturier.domain.formats.ubl.namespaces import CREDIT_NOTE_ROOT, INVOICE_ROOT
from facturier.domain.formats.ubl.parser import read_ubl

__all__ = [
    "AUTO",
    "DEFAULT_MAX_BYTES",
    "CiiFormat",
    "InvoiceFormat",
    "InvoiceParseError",
    "UblFormat",
    "detect_and_parse",
    "detect_syntax",
]


class InvoiceFormat(Protocol):
    """One XML syntax of EN 16931: model -> bytes and bytes -> model without loss."""

    name: str

    def serialize(self, invoice: Invoice, *, profile: str = AUTO) -> bytes: ...

    def parse(self, data: bytes) -> Invoice: ...


def detect_syntax(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """``"cii"``, ``"ubl-invoice"`` or ``"ubl-creditnote"`` from the root element (safe parse)."""
    tag = parse_xml(data, max_bytes=max_bytes).tag
    syntax = {CII_ROOT: "cii", INVOICE_ROOT: "ubl-invoice", CREDIT_NOTE_ROOT: "ubl-creditnote"}.get(tag)
    if syntax is None:
        raise InvoiceParseError(f"unsupported document: root element {tag} is neither CII nor UBL")
    return syntax


def detect_and_parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Invoice:
    """Parse any supported invoice XML, choosing the syntax by its root element.

    Raises ``InvoiceParseError`` (never another exception) for anything that is not a
    safe, well-formed CII or UBL invoice carrying the mandatory EN 16931 terms.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag == CII_ROOT:
        return read_cii(root)
    if root.tag in (INVOICE_ROOT, CREDIT_NOTE_ROOT):
        return read_ubl(root)
    raise InvoiceParseError(f"unsupported document: root element {root.tag!r} is neither CII nor UBL")

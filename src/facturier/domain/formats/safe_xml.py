"""Hardened XML parsing for documents received from outside (XXE, billion laughs, oversize)."""

from __future__ import annotations

from lxml import etree

from facturier.domain.formats.errors import InvoiceParseError

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
"""Largest document accepted by default (20 MB: an invoice with embedded PDF attachments)."""

_FORBIDDEN_MARKUP = (b"<!DOCTYPE", b"<!ENTITY")


def _new_parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers are not thread-safe.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=True,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an element tree, refusing anything that is not plain XML.

    DOCTYPE declarations are refused outright (no invoice syntax uses one), which closes
    XXE and entity-expansion attacks before libxml2 sees the document.
    """
    if not isinstance(data, bytes | bytearray):
        raise InvoiceParseError(f"expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise InvoiceParseError(f"document is {len(data)} bytes, over the {max_bytes} bytes limit")
    if not data.strip():
        raise InvoiceParseError("document is empty")
    head = bytes(data).replace(b"\x00", b"")  # also catches UTF-16 encoded declarations
    if any(marker in head for marker in _FORBIDDEN_MARKUP):
        raise InvoiceParseError("DOCTYPE and ENTITY declarations are not allowed in an invoice")
    try:
        root = etree.fromstring(bytes(data), parser=_new_parser())
    except etree.XMLSyntaxError as exc:
        raise InvoiceParseError(f"not well-formed XML: {exc}") from exc
    except (ValueError, LookupError) as exc:  # bad encoding declaration, unknown codec
        raise InvoiceParseError(f"unreadable XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InvoiceParseError("DOCTYPE declarations are not allowed in an invoice")
    return root

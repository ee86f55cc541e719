"""Parse untrusted XML safely: invoices arrive from strangers (uploads, PDP, e-mail).

A DOCTYPE is never needed by an e-invoice (CII, UBL and CDAR are defined by XSD alone) and is
the carrier of every XML attack we know of: external entities
(XXE, file disclosure, SSRF), entity expansion ("billion laughs") and DTD-driven network
fetches. So we do not merely disable entity resolution: any document with a DOCTYPE is refused.
"""

from __future__ import annotations

from lxml import etree

__all__ = ["MalformedXmlError", "UnsafeXmlError", "parse_secure", "serialize_for_xslt"]


class UnsafeXmlError(ValueError):
    """The document carries a DOCTYPE (and so possibly entities): refused, never parsed further."""


class MalformedXmlError(ValueError):
    """The bytes are not a well-formed XML document."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _secure_parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers keep state and must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_secure(xml: bytes) -> etree._ElementTree:
    """Parse ``xml`` with no DTD, no entity expansion and no network; refuse any DOCTYPE."""
    if not isinstance(xml, bytes):
        raise TypeError("parse_secure expects the raw bytes of the document")
    try:
        root = etree.fromstring(xml, _secure_parser())
    except etree.XMLSyntaxError as exc:
        if "entity" in str(exc).lower():
            raise UnsafeXmlError(f"XML entities are not allowed: {exc}") from exc
        raise MalformedXmlError(f"Not well-formed XML: {exc}", exc.lineno) from exc
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXmlError("A DOCTYPE declaration is not allowed in an e-invoice document")
    return tree


def serialize_for_xslt(tree: etree._ElementTree) -> str:
    """Text handed to Saxon: already checked by :func:`parse_secure`, BOM and encoding resolved."""
    text: str = etree.tostring(tree, encoding="unicode")
    return text

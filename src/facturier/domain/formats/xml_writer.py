"""A small builder over lxml that writes prefixed tags and skips absent optional values.

Serializers call ``optional(...)`` for every optional business term, so an absent term
never produces an empty element (which the XSD or the schematron would reject).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from lxml import etree

from facturier.domain.formats.lexical import decimal_to_text


class ElementWriter:
    """Creates elements named ``prefix:local`` in the namespaces it was given."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces

    def qname(self, tag: str) -> str:
        prefix, _, local = tag.partition(":")
        return f"{{{self.namespaces[prefix]}}}{local}"

    def root(self, tag: str) -> etree._Element:
        return etree.Element(self.qname(tag), nsmap=self.namespaces)

    def child(
        self,
        parent: etree._Element,
        tag: str,
        text: str | None = None,
        attrs: Mapping[str, str | None] | None = None,
    ) -> etree._Element:
        element = etree.SubElement(parent, self.qname(tag))
        if text is not None:
            element.text = text
        for name, value in (attrs or {}).items():
            if value is not None:
                element.set(name, value)
        return element

    def optional(
        self,
        parent: etree._Element,
        tag: str,
        text: str | None,
        attrs: Mapping[str, str | None] | None = None,
    ) -> etree._Element | None:
        """Write the element only when the value is present."""
        if text is None:
            return None
        return self.child(parent, tag, text, attrs)

    def amount(
        self,
        parent: etree._Element,
        tag: str,
        value: Decimal | None,
        attrs: Mapping[str, str | None] | None = None,
    ) -> etree._Element | None:
        """Write a decimal with its own scale, only when present."""
        if value is None:
            return None
        return self.child(parent, tag, decimal_to_text(value), attrs)


def to_bytes(root: etree._Element) -> bytes:
    """UTF-8 XML with a declaration, indented for people who open the file."""
    etree.indent(root, space="  ")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data

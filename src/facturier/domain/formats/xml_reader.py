"""A small typed reader over an lxml element: find by prefixed path, typed values, clear errors.

Parsers use it so that a missing mandatory term or a malformed value always becomes an
``InvoiceParseError`` naming the business term, never an ``AttributeError``.
"""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from lxml import etree

from facturier.domain.en16931.model import Attachment
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.lexical import decimal_from_text


class Node:
    """An element plus the namespace prefixes its paths are written with."""

    __slots__ = ("element", "namespaces")

    def __init__(self, element: etree._Element, namespaces: dict[str, str]) -> None:
        self.element = element
        self.namespaces = namespaces

    @property
    def local_name(self) -> str:
        name: str = etree.QName(self.element).localname
        return name

    def find(self, path: str) -> Node | None:
        found = self.element.find(path, self.namespaces)
        return None if found is None else Node(found, self.namespaces)

    def findall(self, path: str) -> list[Node]:
        return [Node(found, self.namespaces) for found in self.element.findall(path, self.namespaces)]

    def own_text(self) -> str | None:
        """The element's text, or None when it is empty."""
        text = self.element.text
        return text if text else None

    def text(self, path: str) -> str | None:
        found = self.find(path)
        return None if found is None else found.own_text()

    def required_text(self, path: str, term: str) -> str:
        value = self.text(path)
        if value is None:
            raise InvoiceParseError(f"{term} is missing ({path})")
        return value

    def attr(self, name: str) -> str | None:
        value = self.element.get(name)
        return value if value else None

    def decimal(self, path: str, term: str) -> Decimal | None:
        value = self.text(path)
        return None if value is None else decimal_from_text(value, term=term)

    def required_decimal(self, path: str, term: str) -> Decimal:
        return decimal_from_text(self.required_text(path, term), term=term)

    def date(self, path: str, term: str, convert: Callable[[Node, str], date]) -> date | None:
        found = self.find(path)
        if found is None or found.own_text() is None:
            return None
        return convert(found, term)


def read_attachment(binary: Node | None) -> Attachment | None:
    """BT-125 an attached document (base64 in both CII and UBL), with its BT-125-1/-2 attributes."""
    if binary is None:
        return None
    try:
        content = b64decode(binary.own_text() or "", validate=False)
    except (binascii.Error, ValueError) as exc:
        raise InvoiceParseError(f"BT-125 attached document is not valid base64: {exc}") from exc
    return Attachment(
        content=content, mime_code=binary.attr("mimeCode") or "", filename=binary.attr("filename") or ""
    )

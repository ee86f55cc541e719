"""UN/CEFACT CII D16B syntax (Factur-X MINIMUM..EXTENDED, ZUGFeRD, XRechnung CII)."""

from __future__ import annotations

from facturier.domain.en16931.model import Invoice
from facturier.domain.formats.cii.parser import parse_cii, read_cii
from facturier.domain.formats.cii.serializer import serialize_cii
from facturier.domain.formats.profiles import AUTO

__all__ = ["CiiFormat", "parse_cii", "read_cii", "serialize_cii"]


class CiiFormat:
    """``InvoiceFormat`` for CII: ``profile`` is AUTO, a Factur-X profile name or its BT-24 URN."""

    name = "cii"

    def serialize(self, invoice: Invoice, *, profile: str = AUTO) -> bytes:
        return serialize_cii(invoice, profile=profile)

    def parse(self, data: bytes) -> Invoice:
        return parse_cii(data)

"""OASIS UBL 2.1 syntax: Invoice and CreditNote (EN 16931, PEPPOL BIS Billing 3.0, XRechnung)."""

from __future__ import annotations

from facturier.domain.en16931.model import Invoice
from facturier.domain.formats.profiles import AUTO
from facturier.domain.formats.ubl.parser import parse_ubl, read_ubl
from facturier.domain.formats.ubl.serializer import serialize_ubl

__all__ = ["UblFormat", "parse_ubl", "read_ubl", "serialize_ubl"]


class UblFormat:
    """``InvoiceFormat`` for UBL: ``profile`` is AUTO, ``"EN16931"`` or ``"PEPPOL"``."""

    name = "ubl"

    def serialize(self, invoice: Invoice, *, profile: str = AUTO) -> bytes:
        return serialize_ubl(invoice, profile=profile)

    def parse(self, data: bytes) -> Invoice:
        return parse_ubl(data)

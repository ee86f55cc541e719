"""The EN 16931-1 semantic invoice model: one immutable value per invoice or credit note.

Syntax-neutral: the CII and UBL serializers in ``facturier.domain.formats`` map it to XML
and back without losing information. Every field carries its EN 16931 business term id
in ``dataclasses.fields(...)[i].metadata["bt"]`` (BT-n for a term, BG-n for a group).
A credit note is an ``Invoice`` whose type code (BT-3) is a credit note code (381...).
Amounts keep the exact ``Decimal`` of the source document; nothing is rounded here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from facturier.domain.en16931.codes import CREDIT_NOTE_TYPE_CODES
from facturier.domain.en16931.lines import (
    AllowanceCharge,
    InvoiceLine,
    Item,
    ItemAttribute,
    ItemClassification,
    Period,
    PriceDetails,
)
from facturier.domain.en16931.parties import (
    Buyer,
    Contact,
    Delivery,
    Identifier,
    Payee,
    PostalAddress,
    Seller,
    TaxRepresentative,
)
from facturier.domain.en16931.payment import CreditTransfer, DirectDebit, PaymentCard, PaymentInstructions

__all__ = [
    "AllowanceCharge",
    "Attachment",
    "Buyer",
    "Contact",
    "CreditTransfer",
    "Delivery",
    "DirectDebit",
    "DocumentTotals",
    "Identifier",
    "Invoice",
    "InvoiceLine",
    "Item",
    "ItemAttribute",
    "ItemClassification",
    "Note",
    "Payee",
    "PaymentCard",
    "PaymentInstructions",
    "Period",
    "PostalAddress",
    "PrecedingInvoiceReference",
    "PriceDetails",
    "Seller",
    "SupportingDocument",
    "TaxRepresentative",
    "VatBreakdown",
]


@dataclass(frozen=True, kw_only=True)
class Note:
    """BG-1 INVOICE NOTE: free text (BT-22) with an optional UNTDID 4451 subject code (BT-21)."""

    text: str = field(metadata={"bt": "BT-22"})
    subject_code: str | None = field(default=None, metadata={"bt": "BT-21"})


@dataclass(frozen=True, kw_only=True)
class PrecedingInvoiceReference:
    """BG-3 PRECEDING INVOICE REFERENCE (mandatory on a French credit note)."""

    number: str = field(metadata={"bt": "BT-25"})
    issue_date: date | None = field(default=None, metadata={"bt": "BT-26"})


@dataclass(frozen=True, kw_only=True)
class DocumentTotals:
    """BG-22 DOCUMENT TOTALS. BT-106 is absent only in the Factur-X MINIMUM profile."""

    line_net_total: Decimal | None = field(default=None, metadata={"bt": "BT-106"})
    allowance_total: Decimal | None = field(default=None, metadata={"bt": "BT-107"})
    charge_total: Decimal | None = field(default=None, metadata={"bt": "BT-108"})
    tax_exclusive_total: Decimal = field(metadata={"bt": "BT-109"})
    tax_total: Decimal | None = field(default=None, metadata={"bt": "BT-110"})
    tax_total_accounting_currency: Decimal | None = field(default=None, metadata={"bt": "BT-111"})
    tax_inclusive_total: Decimal = field(metadata={"bt": "BT-112"})
    prepaid_amount: Decimal | None = field(default=None, metadata={"bt": "BT-113"})
    rounding_amount: Decimal | None = field(default=None, metadata={"bt": "BT-114"})
    amount_due: Decimal = field(metadata={"bt": "BT-115"})


@dataclass(frozen=True, kw_only=True)
class VatBreakdown:
    """BG-23 VAT BREAKDOWN: one per VAT category and rate."""

    taxable_amount: Decimal = field(metadata={"bt": "BT-116"})
    tax_amount: Decimal = field(metadata={"bt": "BT-117"})
    category_code: str = field(metadata={"bt": "BT-118"})
    rate: Decimal | None = field(default=None, metadata={"bt": "BT-119"})
    exemption_reason: str | None = field(default=None, metadata={"bt": "BT-120"})
    exemption_reason_code: str | None = field(default=None, metadata={"bt": "BT-121"})


@dataclass(frozen=True, kw_only=True)
class Attachment:
    """BT-125 Attached document: the bytes with their MIME code and file name."""

    content: bytes = field(metadata={"bt": "BT-125"})
    mime_code: str = field(metadata={"bt": "BT-125-1"})
    filename: str = field(metadata={"bt": "BT-125-2"})


@dataclass(frozen=True, kw_only=True)
class SupportingDocument:
    """BG-24 ADDITIONAL SUPPORTING DOCUMENTS."""

    reference: str = field(metadata={"bt": "BT-122"})
    description: str | None = field(default=None, metadata={"bt": "BT-123"})
    external_uri: str | None = field(default=None, metadata={"bt": "BT-124"})
    attachment: Attachment | None = field(default=None, metadata={"bt": "BT-125"})


@dataclass(frozen=True, kw_only=True)
class Invoice:
    """EN 16931 INVOICE (also a credit note when BT-3 is a credit note type code)."""

    number: str = field(metadata={"bt": "BT-1"})
    issue_date: date = field(metadata={"bt": "BT-2"})
    type_code: str = field(metadata={"bt": "BT-3"})
    currency_code: str = field(metadata={"bt": "BT-5"})
    tax_currency_code: str | None = field(default=None, metadata={"bt": "BT-6"})
    tax_point_date: date | None = field(default=None, metadata={"bt": "BT-7"})
    tax_point_date_code: str | None = field(default=None, metadata={"bt": "BT-8"})
    due_date: date | None = field(default=None, metadata={"bt": "BT-9"})
    buyer_reference: str | None = field(default=None, metadata={"bt": "BT-10"})
    project_reference: str | None = field(default=None, metadata={"bt": "BT-11"})
    contract_reference: str | None = field(default=None, metadata={"bt": "BT-12"})
    purchase_order_reference: str | None = field(default=None, metadata={"bt": "BT-13"})
    sales_order_reference: str | None = field(default=None, metadata={"bt": "BT-14"})
    receiving_advice_reference: str | None = field(default=None, metadata={"bt": "BT-15"})
    despatch_advice_reference: str | None = field(default=None, metadata={"bt": "BT-16"})
    tender_or_lot_reference: str | None = field(default=None, metadata={"bt": "BT-17"})
    invoiced_object_identifier: Identifier | None = field(default=None, metadata={"bt": "BT-18"})
    buyer_accounting_reference: str | None = field(default=None, metadata={"bt": "BT-19"})
    payment_terms: str | None = field(default=None, metadata={"bt": "BT-20"})
    notes: tuple[Note, ...] = field(default=(), metadata={"bt": "BG-1"})
    business_process_type: str | None = field(default=None, metadata={"bt": "BT-23"})
    specification_identifier: str = field(metadata={"bt": "BT-24"})
    preceding_invoices: tuple[PrecedingInvoiceReference, ...] = field(default=(), metadata={"bt": "BG-3"})
    seller: Seller = field(metadata={"bt": "BG-4"})
    buyer: Buyer = field(metadata={"bt": "BG-7"})
    payee: Payee | None = field(default=None, metadata={"bt": "BG-10"})
    tax_representative: TaxRepresentative | None = field(default=None, metadata={"bt": "BG-11"})
    delivery: Delivery | None = field(default=None, metadata={"bt": "BG-13"})
    invoicing_period: Period | None = field(default=None, metadata={"bt": "BG-14"})
    payment_instructions: PaymentInstructions | None = field(default=None, metadata={"bt": "BG-16"})
    allowances: tuple[AllowanceCharge, ...] = field(default=(), metadata={"bt": "BG-20"})
    charges: tuple[AllowanceCharge, ...] = field(default=(), metadata={"bt": "BG-21"})
    totals: DocumentTotals = field(metadata={"bt": "BG-22"})
    vat_breakdowns: tuple[VatBreakdown, ...] = field(default=(), metadata={"bt": "BG-23"})
    supporting_documents: tuple[SupportingDocument, ...] = field(default=(), metadata={"bt": "BG-24"})
    lines: tuple[InvoiceLine, ...] = field(default=(), metadata={"bt": "BG-25"})

    @property
    def is_credit_note(self) -> bool:
        """True when BT-3 is a credit note code: UBL then uses the CreditNote document."""
        return self.type_code in CREDIT_NOTE_TYPE_CODES

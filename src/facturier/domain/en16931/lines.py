"""EN 16931 invoice lines (BG-25) and the allowance/charge and period groups shared with the header."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from facturier.domain.en16931.parties import Identifier


@dataclass(frozen=True, kw_only=True)
class Period:
    """BG-14 INVOICING PERIOD (BT-73, BT-74) or BG-26 INVOICE LINE PERIOD (BT-134, BT-135)."""

    start_date: date | None = field(default=None, metadata={"bt": "BT-73"})
    end_date: date | None = field(default=None, metadata={"bt": "BT-74"})


@dataclass(frozen=True, kw_only=True)
class AllowanceCharge:
    """BG-20 / BG-21 document level, BG-27 / BG-28 line level allowance or charge.

    Whether it is an allowance or a charge is given by the tuple that holds it
    (``allowances`` or ``charges``). The VAT fields are only used at document level.
    Metadata names the document-allowance terms; the others follow the same order:
    charges BT-99..BT-105, line allowances BT-136..BT-140, line charges BT-141..BT-145.
    """

    amount: Decimal = field(metadata={"bt": "BT-92"})
    base_amount: Decimal | None = field(default=None, metadata={"bt": "BT-93"})
    percentage: Decimal | None = field(default=None, metadata={"bt": "BT-94"})
    vat_category_code: str | None = field(default=None, metadata={"bt": "BT-95"})
    vat_rate: Decimal | None = field(default=None, metadata={"bt": "BT-96"})
    reason: str | None = field(default=None, metadata={"bt": "BT-97"})
    reason_code: str | None = field(default=None, metadata={"bt": "BT-98"})


@dataclass(frozen=True, kw_only=True)
class PriceDetails:
    """BG-29 PRICE DETAILS."""

    net_price: Decimal = field(metadata={"bt": "BT-146"})
    discount: Decimal | None = field(default=None, metadata={"bt": "BT-147"})
    gross_price: Decimal | None = field(default=None, metadata={"bt": "BT-148"})
    base_quantity: Decimal | None = field(default=None, metadata={"bt": "BT-149"})
    base_quantity_unit_code: str | None = field(default=None, metadata={"bt": "BT-150"})


@dataclass(frozen=True, kw_only=True)
class ItemClassification:
    """BT-158 Item classification identifier, with its scheme (BT-158-1) and version (BT-158-2)."""

    code: str = field(metadata={"bt": "BT-158"})
    list_id: str | None = field(default=None, metadata={"bt": "BT-158-1"})
    list_version_id: str | None = field(default=None, metadata={"bt": "BT-158-2"})


@dataclass(frozen=True, kw_only=True)
class ItemAttribute:
    """BG-32 ITEM ATTRIBUTES."""

    name: str = field(metadata={"bt": "BT-160"})
    value: str = field(metadata={"bt": "BT-161"})


@dataclass(frozen=True, kw_only=True)
class Item:
    """BG-31 ITEM INFORMATION."""

    name: str = field(metadata={"bt": "BT-153"})
    description: str | None = field(default=None, metadata={"bt": "BT-154"})
    seller_id: str | None = field(default=None, metadata={"bt": "BT-155"})
    buyer_id: str | None = field(default=None, metadata={"bt": "BT-156"})
    standard_id: Identifier | None = field(default=None, metadata={"bt": "BT-157"})
    classifications: tuple[ItemClassification, ...] = field(default=(), metadata={"bt": "BT-158"})
    origin_country: str | None = field(default=None, metadata={"bt": "BT-159"})
    attributes: tuple[ItemAttribute, ...] = field(default=(), metadata={"bt": "BG-32"})


@dataclass(frozen=True, kw_only=True)
class InvoiceLine:
    """BG-25 INVOICE LINE (with BG-30 LINE VAT INFORMATION flattened into two fields)."""

    id: str = field(metadata={"bt": "BT-126"})
    note: str | None = field(default=None, metadata={"bt": "BT-127"})
    object_identifier: Identifier | None = field(default=None, metadata={"bt": "BT-128"})
    quantity: Decimal = field(metadata={"bt": "BT-129"})
    unit_code: str = field(metadata={"bt": "BT-130"})
    net_amount: Decimal = field(metadata={"bt": "BT-131"})
    order_line_reference: str | None = field(default=None, metadata={"bt": "BT-132"})
    buyer_accounting_reference: str | None = field(default=None, metadata={"bt": "BT-133"})
    period: Period | None = field(default=None, metadata={"bt": "BG-26"})
    allowances: tuple[AllowanceCharge, ...] = field(default=(), metadata={"bt": "BG-27"})
    charges: tuple[AllowanceCharge, ...] = field(default=(), metadata={"bt": "BG-28"})
    price: PriceDetails = field(metadata={"bt": "BG-29"})
    vat_category_code: str = field(metadata={"bt": "BT-151"})
    vat_rate: Decimal | None = field(default=None, metadata={"bt": "BT-152"})
    item: Item = field(metadata={"bt": "BG-31"})

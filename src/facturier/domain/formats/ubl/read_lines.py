"""UBL invoice / credit note lines and allowance/charge groups -> model values."""

from __future__ import annotations

from datetime import date as date_type

from facturier.domain.en16931.model import (
    AllowanceCharge,
    Identifier,
    InvoiceLine,
    Item,
    ItemAttribute,
    ItemClassification,
    Period,
    PriceDetails,
)
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.lexical import date_from_iso
from facturier.domain.formats.ubl.namespaces import DOC_TYPE_INVOICED_OBJECT
from facturier.domain.formats.ubl.read_parties import identifier
from facturier.domain.formats.xml_reader import Node


def iso_date(node: Node, term: str) -> date_type:
    return date_from_iso(node.own_text() or "", term=term)


def read_period(parent: Node, term: str) -> Period | None:
    period = parent.find("cac:InvoicePeriod")
    if period is None:
        return None
    start = period.date("cbc:StartDate", f"{term} start date", iso_date)
    end = period.date("cbc:EndDate", f"{term} end date", iso_date)
    if start is None and end is None:
        return None  # an InvoicePeriod holding only BT-8
    return Period(start_date=start, end_date=end)


def split_allowances_charges(
    parent: Node, term: str
) -> tuple[tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...]]:
    allowances: list[AllowanceCharge] = []
    charges: list[AllowanceCharge] = []
    for node in parent.findall("cac:AllowanceCharge"):
        indicator = (node.text("cbc:ChargeIndicator") or "").strip().lower()
        if indicator not in ("true", "false", "1", "0"):
            raise InvoiceParseError(f"{term}: ChargeIndicator must be true or false, got {indicator!r}")
        entry = AllowanceCharge(
            amount=node.required_decimal("cbc:Amount", f"{term} amount"),
            base_amount=node.decimal("cbc:BaseAmount", f"{term} base amount"),
            percentage=node.decimal("cbc:MultiplierFactorNumeric", f"{term} percentage"),
            vat_category_code=node.text("cac:TaxCategory/cbc:ID"),
            vat_rate=node.decimal("cac:TaxCategory/cbc:Percent", f"{term} VAT rate"),
            reason=node.text("cbc:AllowanceChargeReason"),
            reason_code=node.text("cbc:AllowanceChargeReasonCode"),
        )
        (charges if indicator in ("true", "1") else allowances).append(entry)
    return tuple(allowances), tuple(charges)


def _item(line: Node, term: str) -> Item:
    item = line.find("cac:Item")
    if item is None:
        raise InvoiceParseError(f"{term}: BG-31 Item information is missing")
    return Item(
        name=item.required_text("cbc:Name", f"{term} BT-153 Item name"),
        description=item.text("cbc:Description"),
        seller_id=item.text("cac:SellersItemIdentification/cbc:ID"),
        buyer_id=item.text("cac:BuyersItemIdentification/cbc:ID"),
        standard_id=identifier(item.find("cac:StandardItemIdentification/cbc:ID")),
        classifications=tuple(
            ItemClassification(
                code=code.own_text() or "",
                list_id=code.attr("listID"),
                list_version_id=code.attr("listVersionID"),
            )
            for code in item.findall("cac:CommodityClassification/cbc:ItemClassificationCode")
        ),
        origin_country=item.text("cac:OriginCountry/cbc:IdentificationCode"),
        attributes=tuple(
            ItemAttribute(
                name=prop.required_text("cbc:Name", f"{term} BT-160"),
                value=prop.required_text("cbc:Value", f"{term} BT-161"),
            )
            for prop in item.findall("cac:AdditionalItemProperty")
        ),
    )


def _price(line: Node, term: str) -> PriceDetails:
    price = line.find("cac:Price")
    if price is None:
        raise InvoiceParseError(f"{term}: BG-29 Price details are missing")
    base = price.find("cbc:BaseQuantity")
    discount = price.find("cac:AllowanceCharge")
    return PriceDetails(
        net_price=price.required_decimal("cbc:PriceAmount", f"{term} BT-146 Item net price"),
        discount=discount.decimal("cbc:Amount", f"{term} BT-147") if discount else None,
        gross_price=discount.decimal("cbc:BaseAmount", f"{term} BT-148") if discount else None,
        base_quantity=base.decimal(".", f"{term} BT-149") if base else None,
        base_quantity_unit_code=base.attr("unitCode") if base else None,
    )


def _object_identifier(line: Node) -> Identifier | None:
    for reference in line.findall("cac:DocumentReference"):
        if reference.text("cbc:DocumentTypeCode") == DOC_TYPE_INVOICED_OBJECT:
            return identifier(reference.find("cbc:ID"))
    return None


def read_line(line: Node) -> InvoiceLine:
    line_id = line.required_text("cbc:ID", "BT-126 Invoice line identifier")
    term = f"line {line_id}"
    quantity = line.find("cbc:InvoicedQuantity") or line.find("cbc:CreditedQuantity")
    if quantity is None:
        raise InvoiceParseError(f"{term}: BT-129 Invoiced quantity is missing")
    allowances, charges = split_allowances_charges(line, f"{term} allowance/charge")
    notes = [note.own_text() or "" for note in line.findall("cbc:Note")]
    return InvoiceLine(
        id=line_id,
        note="\n".join(notes) if notes else None,
        object_identifier=_object_identifier(line),
        quantity=quantity.required_decimal(".", f"{term} BT-129 quantity"),
        unit_code=quantity.attr("unitCode") or "",
        net_amount=line.required_decimal("cbc:LineExtensionAmount", f"{term} BT-131 net amount"),
        order_line_reference=line.text("cac:OrderLineReference/cbc:LineID"),
        buyer_accounting_reference=line.text("cbc:AccountingCost"),
        period=read_period(line, f"{term} BG-26"),
        allowances=allowances,
        charges=charges,
        price=_price(line, term),
        vat_category_code=line.required_text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", f"{term} BT-151"),
        vat_rate=line.decimal("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", f"{term} BT-152"),
        item=_item(line, term),
    )

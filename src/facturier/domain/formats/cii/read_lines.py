"""CII line items and allowance/charge groups -> model values."""

from __future__ import annotations

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
from facturier.domain.formats.cii.namespaces import DOC_TYPE_INVOICED_OBJECT
from facturier.domain.formats.cii.read_parties import cii_date, identifier
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.xml_reader import Node


def read_period(parent: Node, term: str) -> Period | None:
    period = parent.find("ram:BillingSpecifiedPeriod")
    if period is None:
        return None
    return Period(
        start_date=cii_date(period.find("ram:StartDateTime"), f"{term} start date"),
        end_date=cii_date(period.find("ram:EndDateTime"), f"{term} end date"),
    )


def is_charge(node: Node, term: str) -> bool:
    indicator = (node.text("ram:ChargeIndicator/udt:Indicator") or "").strip().lower()
    if indicator in ("true", "1"):
        return True
    if indicator in ("false", "0"):
        return False
    raise InvoiceParseError(f"{term}: ChargeIndicator must be true or false, got {indicator!r}")


def read_allowance_charge(node: Node, term: str) -> AllowanceCharge:
    return AllowanceCharge(
        amount=node.required_decimal("ram:ActualAmount", f"{term} amount"),
        base_amount=node.decimal("ram:BasisAmount", f"{term} base amount"),
        percentage=node.decimal("ram:CalculationPercent", f"{term} percentage"),
        vat_category_code=node.text("ram:CategoryTradeTax/ram:CategoryCode"),
        vat_rate=node.decimal("ram:CategoryTradeTax/ram:RateApplicablePercent", f"{term} VAT rate"),
        reason=node.text("ram:Reason"),
        reason_code=node.text("ram:ReasonCode"),
    )


def split_allowances_charges(
    parent: Node, term: str
) -> tuple[tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...]]:
    allowances: list[AllowanceCharge] = []
    charges: list[AllowanceCharge] = []
    for node in parent.findall("ram:SpecifiedTradeAllowanceCharge"):
        target = charges if is_charge(node, term) else allowances
        target.append(read_allowance_charge(node, term))
    return tuple(allowances), tuple(charges)


def _read_item(line: Node) -> Item:
    product = line.find("ram:SpecifiedTradeProduct")
    if product is None:
        raise InvoiceParseError("BG-31 Item information is missing (SpecifiedTradeProduct)")
    return Item(
        name=product.required_text("ram:Name", "BT-153 Item name"),
        description=product.text("ram:Description"),
        seller_id=product.text("ram:SellerAssignedID"),
        buyer_id=product.text("ram:BuyerAssignedID"),
        standard_id=identifier(product.find("ram:GlobalID")),
        classifications=tuple(
            ItemClassification(
                code=code.own_text() or "",
                list_id=code.attr("listID"),
                list_version_id=code.attr("listVersionID"),
            )
            for code in product.findall("ram:DesignatedProductClassification/ram:ClassCode")
        ),
        origin_country=product.text("ram:OriginTradeCountry/ram:ID"),
        attributes=tuple(
            ItemAttribute(
                name=characteristic.required_text("ram:Description", "BT-160 Item attribute name"),
                value=characteristic.required_text("ram:Value", "BT-161 Item attribute value"),
            )
            for characteristic in product.findall("ram:ApplicableProductCharacteristic")
        ),
    )


def _read_price(agreement: Node) -> PriceDetails:
    net = agreement.find("ram:NetPriceProductTradePrice")
    if net is None:
        raise InvoiceParseError("BT-146 Item net price is missing (NetPriceProductTradePrice)")
    gross = agreement.find("ram:GrossPriceProductTradePrice")
    base = net.find("ram:BasisQuantity") or (gross.find("ram:BasisQuantity") if gross else None)
    return PriceDetails(
        net_price=net.required_decimal("ram:ChargeAmount", "BT-146 Item net price"),
        discount=gross.decimal("ram:AppliedTradeAllowanceCharge/ram:ActualAmount", "BT-147")
        if gross
        else None,
        gross_price=gross.decimal("ram:ChargeAmount", "BT-148 Item gross price") if gross else None,
        base_quantity=base.decimal(".", "BT-149 Item price base quantity") if base else None,
        base_quantity_unit_code=base.attr("unitCode") if base else None,
    )


def _object_identifier(settlement: Node) -> Identifier | None:
    for document in settlement.findall("ram:AdditionalReferencedDocument"):
        if document.text("ram:TypeCode") == DOC_TYPE_INVOICED_OBJECT:
            value = document.required_text("ram:IssuerAssignedID", "BT-128 Invoice line object identifier")
            return Identifier(value=value, scheme_id=document.text("ram:ReferenceTypeCode"))
    return None


def read_line(line: Node) -> InvoiceLine:
    line_id = line.required_text("ram:AssociatedDocumentLineDocument/ram:LineID", "BT-126 Invoice line id")
    term = f"line {line_id}"
    agreement = line.find("ram:SpecifiedLineTradeAgreement")
    settlement = line.find("ram:SpecifiedLineTradeSettlement")
    quantity = line.find("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity")
    if agreement is None or settlement is None or quantity is None:
        raise InvoiceParseError(f"{term}: agreement, delivery quantity and settlement are mandatory")
    notes = [
        note.own_text() or ""
        for note in line.findall("ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content")
    ]
    allowances, charges = split_allowances_charges(settlement, f"{term} allowance/charge")
    return InvoiceLine(
        id=line_id,
        note="\n".join(notes) if notes else None,
        object_identifier=_object_identifier(settlement),
        quantity=quantity.required_decimal(".", f"{term} BT-129 quantity"),
        unit_code=quantity.attr("unitCode") or "",
        net_amount=settlement.required_decimal(
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            f"{term} BT-131 net amount",
        ),
        order_line_reference=agreement.text("ram:BuyerOrderReferencedDocument/ram:LineID"),
        buyer_accounting_reference=settlement.text("ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
        period=read_period(settlement, f"{term} BG-26"),
        allowances=allowances,
        charges=charges,
        price=_read_price(agreement),
        vat_category_code=settlement.required_text(
            "ram:ApplicableTradeTax/ram:CategoryCode", f"{term} BT-151"
        ),
        vat_rate=settlement.decimal("ram:ApplicableTradeTax/ram:RateApplicablePercent", f"{term} BT-152"),
        item=_read_item(line),
    )

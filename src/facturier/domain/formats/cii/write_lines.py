"""CII IncludedSupplyChainTradeLineItem (BG-25) in XSD order."""

from __future__ import annotations

from lxml import etree

from facturier.domain.en16931.model import InvoiceLine, Item
from facturier.domain.formats.cii.namespaces import DOC_TYPE_INVOICED_OBJECT, NAMESPACES
from facturier.domain.formats.cii.write_header import write_date_time
from facturier.domain.formats.cii.write_settlement import VAT, write_allowance_charge
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)


def _write_product(line_element: etree._Element, item: Item) -> None:
    product = W.child(line_element, "ram:SpecifiedTradeProduct")
    if item.standard_id is not None:
        W.child(product, "ram:GlobalID", item.standard_id.value, {"schemeID": item.standard_id.scheme_id})
    W.optional(product, "ram:SellerAssignedID", item.seller_id)
    W.optional(product, "ram:BuyerAssignedID", item.buyer_id)
    W.child(product, "ram:Name", item.name)
    W.optional(product, "ram:Description", item.description)
    for attribute in item.attributes:
        characteristic = W.child(product, "ram:ApplicableProductCharacteristic")
        W.child(characteristic, "ram:Description", attribute.name)
        W.child(characteristic, "ram:Value", attribute.value)
    for classification in item.classifications:
        element = W.child(product, "ram:DesignatedProductClassification")
        W.child(
            element,
            "ram:ClassCode",
            classification.code,
            {"listID": classification.list_id, "listVersionID": classification.list_version_id},
        )
    if item.origin_country is not None:
        W.child(W.child(product, "ram:OriginTradeCountry"), "ram:ID", item.origin_country)


def _write_agreement(line_element: etree._Element, line: InvoiceLine) -> None:
    agreement = W.child(line_element, "ram:SpecifiedLineTradeAgreement")
    if line.order_line_reference is not None:
        order = W.child(agreement, "ram:BuyerOrderReferencedDocument")
        W.child(order, "ram:LineID", line.order_line_reference)
    price = line.price
    base_quantity_attrs: dict[str, str | None] = {"unitCode": price.base_quantity_unit_code}
    if price.gross_price is not None:
        gross = W.child(agreement, "ram:GrossPriceProductTradePrice")
        W.amount(gross, "ram:ChargeAmount", price.gross_price)
        W.amount(gross, "ram:BasisQuantity", price.base_quantity, base_quantity_attrs)
        if price.discount is not None:
            discount = W.child(gross, "ram:AppliedTradeAllowanceCharge")
            W.child(W.child(discount, "ram:ChargeIndicator"), "udt:Indicator", "false")
            W.amount(discount, "ram:ActualAmount", price.discount)
    net = W.child(agreement, "ram:NetPriceProductTradePrice")
    W.amount(net, "ram:ChargeAmount", price.net_price)
    W.amount(net, "ram:BasisQuantity", price.base_quantity, base_quantity_attrs)


def _write_settlement(line_element: etree._Element, line: InvoiceLine) -> None:
    settlement = W.child(line_element, "ram:SpecifiedLineTradeSettlement")
    tax = W.child(settlement, "ram:ApplicableTradeTax")
    W.child(tax, "ram:TypeCode", VAT)
    W.child(tax, "ram:CategoryCode", line.vat_category_code)
    W.amount(tax, "ram:RateApplicablePercent", line.vat_rate)
    if line.period is not None:
        period = W.child(settlement, "ram:BillingSpecifiedPeriod")
        write_date_time(period, "ram:StartDateTime", line.period.start_date)
        write_date_time(period, "ram:EndDateTime", line.period.end_date)
    for allowance in line.allowances:
        write_allowance_charge(settlement, allowance, is_charge=False, with_tax=False)
    for charge in line.charges:
        write_allowance_charge(settlement, charge, is_charge=True, with_tax=False)
    summation = W.child(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    W.amount(summation, "ram:LineTotalAmount", line.net_amount)
    if line.object_identifier is not None:
        document = W.child(settlement, "ram:AdditionalReferencedDocument")
        W.child(document, "ram:IssuerAssignedID", line.object_identifier.value)
        W.child(document, "ram:TypeCode", DOC_TYPE_INVOICED_OBJECT)
        W.optional(document, "ram:ReferenceTypeCode", line.object_identifier.scheme_id)
    if line.buyer_accounting_reference is not None:
        account = W.child(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount")
        W.child(account, "ram:ID", line.buyer_accounting_reference)


def write_line(transaction: etree._Element, line: InvoiceLine) -> None:
    element = W.child(transaction, "ram:IncludedSupplyChainTradeLineItem")
    document = W.child(element, "ram:AssociatedDocumentLineDocument")
    W.child(document, "ram:LineID", line.id)
    if line.note is not None:
        W.child(W.child(document, "ram:IncludedNote"), "ram:Content", line.note)
    _write_product(element, line.item)
    _write_agreement(element, line)
    delivery = W.child(element, "ram:SpecifiedLineTradeDelivery")
    W.amount(delivery, "ram:BilledQuantity", line.quantity, {"unitCode": line.unit_code})
    _write_settlement(element, line)

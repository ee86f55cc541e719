"""UBL cac:InvoiceLine / cac:CreditNoteLine (BG-25)."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from facturier.domain.en16931.model import InvoiceLine, Item
from facturier.domain.formats.ubl.namespaces import DOC_TYPE_INVOICED_OBJECT, NAMESPACES
from facturier.domain.formats.ubl.write_settlement import (
    write_allowance_charge,
    write_period,
    write_tax_category,
)
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)


def _write_item(line_element: etree._Element, item: Item, line: InvoiceLine) -> None:
    element = W.child(line_element, "cac:Item")
    W.optional(element, "cbc:Description", item.description)
    W.child(element, "cbc:Name", item.name)
    if item.buyer_id is not None:
        W.child(W.child(element, "cac:BuyersItemIdentification"), "cbc:ID", item.buyer_id)
    if item.seller_id is not None:
        W.child(W.child(element, "cac:SellersItemIdentification"), "cbc:ID", item.seller_id)
    if item.standard_id is not None:
        identification = W.child(element, "cac:StandardItemIdentification")
        W.child(identification, "cbc:ID", item.standard_id.value, {"schemeID": item.standard_id.scheme_id})
    if item.origin_country is not None:
        W.child(W.child(element, "cac:OriginCountry"), "cbc:IdentificationCode", item.origin_country)
    for classification in item.classifications:
        W.child(
            W.child(element, "cac:CommodityClassification"),
            "cbc:ItemClassificationCode",
            classification.code,
            {"listID": classification.list_id, "listVersionID": classification.list_version_id},
        )
    write_tax_category(element, "cac:ClassifiedTaxCategory", line.vat_category_code, line.vat_rate)
    for attribute in item.attributes:
        property_element = W.child(element, "cac:AdditionalItemProperty")
        W.child(property_element, "cbc:Name", attribute.name)
        W.child(property_element, "cbc:Value", attribute.value)


def _write_price(line_element: etree._Element, line: InvoiceLine, currency: str) -> None:
    price = line.price
    element = W.child(line_element, "cac:Price")
    W.amount(element, "cbc:PriceAmount", price.net_price, {"currencyID": currency})
    W.amount(element, "cbc:BaseQuantity", price.base_quantity, {"unitCode": price.base_quantity_unit_code})
    if price.gross_price is not None or price.discount is not None:
        discount = W.child(element, "cac:AllowanceCharge")
        W.child(discount, "cbc:ChargeIndicator", "false")
        W.amount(discount, "cbc:Amount", price.discount or Decimal("0"), {"currencyID": currency})
        W.amount(discount, "cbc:BaseAmount", price.gross_price, {"currencyID": currency})


def write_line(root: etree._Element, line: InvoiceLine, *, currency: str, credit_note: bool) -> None:
    element = W.child(root, "cac:CreditNoteLine" if credit_note else "cac:InvoiceLine")
    W.child(element, "cbc:ID", line.id)
    W.optional(element, "cbc:Note", line.note)
    quantity_tag = "cbc:CreditedQuantity" if credit_note else "cbc:InvoicedQuantity"
    W.amount(element, quantity_tag, line.quantity, {"unitCode": line.unit_code})
    W.amount(element, "cbc:LineExtensionAmount", line.net_amount, {"currencyID": currency})
    W.optional(element, "cbc:AccountingCost", line.buyer_accounting_reference)
    write_period(element, line.period)
    if line.order_line_reference is not None:
        W.child(W.child(element, "cac:OrderLineReference"), "cbc:LineID", line.order_line_reference)
    if line.object_identifier is not None:
        reference = W.child(element, "cac:DocumentReference")
        W.child(
            reference, "cbc:ID", line.object_identifier.value, {"schemeID": line.object_identifier.scheme_id}
        )
        W.child(reference, "cbc:DocumentTypeCode", DOC_TYPE_INVOICED_OBJECT)
    for allowance in line.allowances:
        write_allowance_charge(element, allowance, is_charge=False, currency=currency, with_tax=False)
    for charge in line.charges:
        write_allowance_charge(element, charge, is_charge=True, currency=currency, with_tax=False)
    _write_item(element, line.item, line)
    _write_price(element, line, currency)

"""CII document context, exchanged document, header trade agreement and delivery."""

from __future__ import annotations

from base64 import b64encode
from datetime import date

from lxml import etree

from facturier.domain.en16931.model import Buyer, Invoice, Seller, SupportingDocument
from facturier.domain.formats.cii.namespaces import (
    DOC_TYPE_INVOICED_OBJECT,
    DOC_TYPE_SUPPORTING,
    DOC_TYPE_TENDER,
    NAMESPACES,
)
from facturier.domain.formats.cii.write_parties import (
    write_address,
    write_contact,
    write_electronic_address,
    write_identifiers,
    write_legal_organization,
    write_tax_registrations,
)
from facturier.domain.formats.lexical import date_to_102
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)


def write_date_time(parent: etree._Element, tag: str, value: date | None) -> None:
    """A udt:DateTimeString in format 102 wrapped in ``tag``."""
    if value is not None:
        wrapper = W.child(parent, tag)
        W.child(wrapper, "udt:DateTimeString", date_to_102(value), {"format": "102"})


def write_context(root: etree._Element, invoice: Invoice) -> None:
    context = W.child(root, "rsm:ExchangedDocumentContext")
    if invoice.business_process_type is not None:
        process = W.child(context, "ram:BusinessProcessSpecifiedDocumentContextParameter")
        W.child(process, "ram:ID", invoice.business_process_type)
    guideline = W.child(context, "ram:GuidelineSpecifiedDocumentContextParameter")
    W.child(guideline, "ram:ID", invoice.specification_identifier)


def write_document(root: etree._Element, invoice: Invoice) -> None:
    document = W.child(root, "rsm:ExchangedDocument")
    W.child(document, "ram:ID", invoice.number)
    W.child(document, "ram:TypeCode", invoice.type_code)
    write_date_time(document, "ram:IssueDateTime", invoice.issue_date)
    for note in invoice.notes:
        element = W.child(document, "ram:IncludedNote")
        W.child(element, "ram:Content", note.text)
        W.optional(element, "ram:SubjectCode", note.subject_code)


def _write_seller(agreement: etree._Element, seller: Seller) -> None:
    party = W.child(agreement, "ram:SellerTradeParty")
    write_identifiers(party, seller.identifiers)
    W.child(party, "ram:Name", seller.name)
    W.optional(party, "ram:Description", seller.legal_form)
    write_legal_organization(party, seller.legal_registration_id, seller.trading_name)
    write_contact(party, seller.contact)
    write_address(party, seller.address)
    write_electronic_address(party, seller.electronic_address)
    write_tax_registrations(party, seller.vat_id, seller.tax_registration_id)


def _write_buyer(agreement: etree._Element, buyer: Buyer) -> None:
    party = W.child(agreement, "ram:BuyerTradeParty")
    write_identifiers(party, buyer.identifiers)
    W.child(party, "ram:Name", buyer.name)
    write_legal_organization(party, buyer.legal_registration_id, buyer.trading_name)
    write_contact(party, buyer.contact)
    write_address(party, buyer.address)
    write_electronic_address(party, buyer.electronic_address)
    write_tax_registrations(party, buyer.vat_id)


def _write_referenced_id(parent: etree._Element, tag: str, issuer_assigned_id: str | None) -> None:
    if issuer_assigned_id is not None:
        W.child(W.child(parent, tag), "ram:IssuerAssignedID", issuer_assigned_id)


def _write_supporting_document(agreement: etree._Element, document: SupportingDocument) -> None:
    element = W.child(agreement, "ram:AdditionalReferencedDocument")
    W.child(element, "ram:IssuerAssignedID", document.reference)
    W.optional(element, "ram:URIID", document.external_uri)
    W.child(element, "ram:TypeCode", DOC_TYPE_SUPPORTING)
    W.optional(element, "ram:Name", document.description)
    if document.attachment is not None:
        W.child(
            element,
            "ram:AttachmentBinaryObject",
            b64encode(document.attachment.content).decode("ascii"),
            {"mimeCode": document.attachment.mime_code, "filename": document.attachment.filename},
        )


def write_agreement(transaction: etree._Element, invoice: Invoice) -> None:
    agreement = W.child(transaction, "ram:ApplicableHeaderTradeAgreement")
    W.optional(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _write_seller(agreement, invoice.seller)
    _write_buyer(agreement, invoice.buyer)
    representative = invoice.tax_representative
    if representative is not None:
        party = W.child(agreement, "ram:SellerTaxRepresentativeTradeParty")
        W.child(party, "ram:Name", representative.name)
        write_address(party, representative.address)
        write_tax_registrations(party, representative.vat_id)
    _write_referenced_id(agreement, "ram:SellerOrderReferencedDocument", invoice.sales_order_reference)
    _write_referenced_id(agreement, "ram:BuyerOrderReferencedDocument", invoice.purchase_order_reference)
    _write_referenced_id(agreement, "ram:ContractReferencedDocument", invoice.contract_reference)
    for document in invoice.supporting_documents:
        _write_supporting_document(agreement, document)
    if invoice.tender_or_lot_reference is not None:
        element = W.child(agreement, "ram:AdditionalReferencedDocument")
        W.child(element, "ram:IssuerAssignedID", invoice.tender_or_lot_reference)
        W.child(element, "ram:TypeCode", DOC_TYPE_TENDER)
    if invoice.invoiced_object_identifier is not None:
        element = W.child(agreement, "ram:AdditionalReferencedDocument")
        W.child(element, "ram:IssuerAssignedID", invoice.invoiced_object_identifier.value)
        W.child(element, "ram:TypeCode", DOC_TYPE_INVOICED_OBJECT)
        W.optional(element, "ram:ReferenceTypeCode", invoice.invoiced_object_identifier.scheme_id)
    if invoice.project_reference is not None:
        project = W.child(agreement, "ram:SpecifiedProcuringProject")
        W.child(project, "ram:ID", invoice.project_reference)
        W.child(project, "ram:Name", "Project reference")


def write_delivery(transaction: etree._Element, invoice: Invoice) -> None:
    element = W.child(transaction, "ram:ApplicableHeaderTradeDelivery")
    delivery = invoice.delivery
    if delivery is not None:
        if (
            delivery.party_name is not None
            or delivery.location_id is not None
            or delivery.address is not None
        ):
            party = W.child(element, "ram:ShipToTradeParty")
            write_identifiers(party, () if delivery.location_id is None else (delivery.location_id,))
            W.optional(party, "ram:Name", delivery.party_name)
            write_address(party, delivery.address)
        if delivery.actual_delivery_date is not None:
            event = W.child(element, "ram:ActualDeliverySupplyChainEvent")
            write_date_time(event, "ram:OccurrenceDateTime", delivery.actual_delivery_date)
    _write_referenced_id(element, "ram:DespatchAdviceReferencedDocument", invoice.despatch_advice_reference)
    _write_referenced_id(element, "ram:ReceivingAdviceReferencedDocument", invoice.receiving_advice_reference)

"""EN 16931 model -> UBL 2.1 Invoice or CreditNote (EN 16931, PEPPOL BIS 3, XRechnung UBL)."""

from __future__ import annotations

from base64 import b64encode
from dataclasses import replace

from lxml import etree

from facturier.domain.en16931.codes import PEPPOL_PROFILE_ID, Profile
from facturier.domain.en16931.model import Invoice
from facturier.domain.formats.profiles import AUTO, resolve_profile
from facturier.domain.formats.ubl.namespaces import (
    CAC,
    CBC,
    CREDIT_NOTE,
    CREDIT_NOTE_ORDER,
    DOC_TYPE_INVOICED_OBJECT,
    DOC_TYPE_PROJECT,
    INVOICE,
    INVOICE_ORDER,
    NAMESPACES,
    NOT_APPLICABLE,
)
from facturier.domain.formats.ubl.write_lines import write_line
from facturier.domain.formats.ubl.write_parties import (
    write_address,
    write_buyer,
    write_payee_and_representative,
    write_seller,
)
from facturier.domain.formats.ubl.write_settlement import (
    write_allowance_charge,
    write_monetary_total,
    write_payment_means,
    write_period,
    write_tax_totals,
)
from facturier.domain.formats.xml_writer import ElementWriter, to_bytes

_UBL_PROFILES = {Profile.EN16931, Profile.PEPPOL_BIS_3, Profile.EXTENDED_CTC_FR}


def _writer(credit_note: bool) -> ElementWriter:
    return ElementWriter({**NAMESPACES, "root": CREDIT_NOTE if credit_note else INVOICE})


def _write_header(root: etree._Element, invoice: Invoice, w: ElementWriter) -> None:
    w.child(root, "cbc:CustomizationID", invoice.specification_identifier)
    w.optional(root, "cbc:ProfileID", invoice.business_process_type)
    w.child(root, "cbc:ID", invoice.number)
    w.child(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not invoice.is_credit_note and invoice.due_date is not None:
        w.child(root, "cbc:DueDate", invoice.due_date.isoformat())
    w.child(
        root, "cbc:CreditNoteTypeCode" if invoice.is_credit_note else "cbc:InvoiceTypeCode", invoice.type_code
    )
    for note in invoice.notes:
        w.child(
            root, "cbc:Note", note.text if note.subject_code is None else f"#{note.subject_code}#{note.text}"
        )
    if invoice.tax_point_date is not None:
        w.child(root, "cbc:TaxPointDate", invoice.tax_point_date.isoformat())
    w.child(root, "cbc:DocumentCurrencyCode", invoice.currency_code)
    w.optional(root, "cbc:TaxCurrencyCode", invoice.tax_currency_code)
    w.optional(root, "cbc:AccountingCost", invoice.buyer_accounting_reference)
    w.optional(root, "cbc:BuyerReference", invoice.buyer_reference)
    write_period(root, invoice.invoicing_period, invoice.tax_point_date_code)


def _write_id_reference(root: etree._Element, w: ElementWriter, tag: str, value: str | None) -> None:
    if value is not None:
        w.child(w.child(root, tag), "cbc:ID", value)


def _write_references(root: etree._Element, invoice: Invoice, w: ElementWriter) -> None:
    if invoice.purchase_order_reference is not None or invoice.sales_order_reference is not None:
        order = w.child(root, "cac:OrderReference")
        w.child(order, "cbc:ID", invoice.purchase_order_reference or NOT_APPLICABLE)
        w.optional(order, "cbc:SalesOrderID", invoice.sales_order_reference)
    for preceding in invoice.preceding_invoices:
        reference = w.child(w.child(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.child(reference, "cbc:ID", preceding.number)
        w.optional(
            reference, "cbc:IssueDate", preceding.issue_date.isoformat() if preceding.issue_date else None
        )
    _write_id_reference(root, w, "cac:DespatchDocumentReference", invoice.despatch_advice_reference)
    _write_id_reference(root, w, "cac:ReceiptDocumentReference", invoice.receiving_advice_reference)
    _write_id_reference(root, w, "cac:OriginatorDocumentReference", invoice.tender_or_lot_reference)
    _write_id_reference(root, w, "cac:ContractDocumentReference", invoice.contract_reference)
    if invoice.invoiced_object_identifier is not None:
        reference = w.child(root, "cac:AdditionalDocumentReference")
        identifier = invoice.invoiced_object_identifier
        w.child(reference, "cbc:ID", identifier.value, {"schemeID": identifier.scheme_id})
        w.child(reference, "cbc:DocumentTypeCode", DOC_TYPE_INVOICED_OBJECT)
    for document in invoice.supporting_documents:
        reference = w.child(root, "cac:AdditionalDocumentReference")
        w.child(reference, "cbc:ID", document.reference)
        w.optional(reference, "cbc:DocumentDescription", document.description)
        if document.attachment is not None or document.external_uri is not None:
            attachment = w.child(reference, "cac:Attachment")
            if document.attachment is not None:
                w.child(
                    attachment,
                    "cbc:EmbeddedDocumentBinaryObject",
                    b64encode(document.attachment.content).decode("ascii"),
                    {"mimeCode": document.attachment.mime_code, "filename": document.attachment.filename},
                )
            if document.external_uri is not None:
                w.child(w.child(attachment, "cac:ExternalReference"), "cbc:URI", document.external_uri)
    if invoice.project_reference is not None:
        if invoice.is_credit_note:  # UBL CreditNote has no ProjectReference
            reference = w.child(root, "cac:AdditionalDocumentReference")
            w.child(reference, "cbc:ID", invoice.project_reference)
            w.child(reference, "cbc:DocumentTypeCode", DOC_TYPE_PROJECT)
        else:
            _write_id_reference(root, w, "cac:ProjectReference", invoice.project_reference)


def _write_delivery(root: etree._Element, invoice: Invoice, w: ElementWriter) -> None:
    delivery = invoice.delivery
    if delivery is None:
        return
    element = w.child(root, "cac:Delivery")
    w.optional(
        element,
        "cbc:ActualDeliveryDate",
        delivery.actual_delivery_date.isoformat() if delivery.actual_delivery_date else None,
    )
    if delivery.location_id is not None or delivery.address is not None:
        location = w.child(element, "cac:DeliveryLocation")
        if delivery.location_id is not None:
            w.child(
                location, "cbc:ID", delivery.location_id.value, {"schemeID": delivery.location_id.scheme_id}
            )
        write_address(location, "cac:Address", delivery.address)
    if delivery.party_name is not None:
        w.child(
            w.child(w.child(element, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", delivery.party_name
        )


def _sort_root(root: etree._Element, order: list[str]) -> None:
    """Put the root's children in XSD order (Invoice and CreditNote differ)."""
    rank = {name: index for index, name in enumerate(order)}
    children = sorted(root, key=lambda child: rank[etree.QName(child).localname])
    for child in children:
        root.append(child)


def build_ubl_tree(invoice: Invoice) -> etree._Element:
    credit_note = invoice.is_credit_note
    w = _writer(credit_note)
    root = etree.Element(
        w.qname("root:CreditNote" if credit_note else "root:Invoice"),
        nsmap={None: CREDIT_NOTE if credit_note else INVOICE, "cac": CAC, "cbc": CBC},
    )
    _write_header(root, invoice, w)
    _write_references(root, invoice, w)
    write_seller(root, invoice)
    write_buyer(root, invoice)
    write_payee_and_representative(root, invoice)
    _write_delivery(root, invoice, w)
    write_payment_means(root, invoice)
    if invoice.payment_terms is not None:
        w.child(w.child(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)
    for allowance in invoice.allowances:
        write_allowance_charge(
            root, allowance, is_charge=False, currency=invoice.currency_code, with_tax=True
        )
    for charge in invoice.charges:
        write_allowance_charge(root, charge, is_charge=True, currency=invoice.currency_code, with_tax=True)
    write_tax_totals(root, invoice)
    write_monetary_total(root, invoice)
    for line in invoice.lines:
        write_line(root, line, currency=invoice.currency_code, credit_note=credit_note)
    _sort_root(root, CREDIT_NOTE_ORDER if credit_note else INVOICE_ORDER)
    return root


def serialize_ubl(invoice: Invoice, *, profile: str = AUTO) -> bytes:
    """Serialize to UBL 2.1 (CreditNote document when BT-3 is a credit note code).

    ``profile``: AUTO keeps BT-23/BT-24; ``"EN16931"`` sets BT-24 to the EN 16931 URN;
    ``"PEPPOL"`` sets BT-24 to PEPPOL BIS Billing 3.0 and BT-23 to its profile id.
    """
    chosen, guideline = resolve_profile(profile, invoice.specification_identifier)
    if profile != AUTO and chosen not in _UBL_PROFILES:
        raise ValueError(f"profile {profile!r} is a Factur-X (CII) profile, not a UBL one")
    invoice = replace(invoice, specification_identifier=guideline)
    if chosen is Profile.PEPPOL_BIS_3 and profile != AUTO:
        invoice = replace(invoice, business_process_type=PEPPOL_PROFILE_ID)
    return to_bytes(build_ubl_tree(invoice))

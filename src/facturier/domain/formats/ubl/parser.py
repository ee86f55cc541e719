"""UBL 2.1 Invoice / CreditNote XML (EN 16931, PEPPOL BIS 3, XRechnung) -> EN 16931 model."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from facturier.domain.en16931.model import (
    Attachment,
    CreditTransfer,
    Delivery,
    DirectDebit,
    DocumentTotals,
    Identifier,
    Invoice,
    Note,
    PaymentCard,
    PaymentInstructions,
    PrecedingInvoiceReference,
    SupportingDocument,
    VatBreakdown,
)
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.safe_xml import DEFAULT_MAX_BYTES, parse_xml
from facturier.domain.formats.ubl.namespaces import (
    CREDIT_NOTE_ROOT,
    DOC_TYPE_INVOICED_OBJECT,
    DOC_TYPE_PROJECT,
    INVOICE_ROOT,
    NAMESPACES,
    NOT_APPLICABLE,
)
from facturier.domain.formats.ubl.read_lines import iso_date, read_line, read_period, split_allowances_charges
from facturier.domain.formats.ubl.read_parties import (
    identifier,
    read_address,
    read_buyer,
    read_payee,
    read_seller,
    read_tax_representative,
)
from facturier.domain.formats.xml_reader import Node, read_attachment

_SUBJECT_NOTE = re.compile(r"^#([A-Z]{3})#(.*)$", re.DOTALL)


def _note(text: str) -> Note:
    match = _SUBJECT_NOTE.match(text)
    if match is None:
        return Note(text=text)
    return Note(text=match.group(2), subject_code=match.group(1))


def _attachment(reference: Node) -> Attachment | None:
    return read_attachment(reference.find("cac:Attachment/cbc:EmbeddedDocumentBinaryObject"))


def _references(root: Node) -> dict[str, Any]:
    supporting: list[SupportingDocument] = []
    invoiced_object: Identifier | None = None
    project = root.text("cac:ProjectReference/cbc:ID")
    for reference in root.findall("cac:AdditionalDocumentReference"):
        type_code = reference.text("cbc:DocumentTypeCode")
        if type_code == DOC_TYPE_INVOICED_OBJECT and invoiced_object is None:
            invoiced_object = identifier(reference.find("cbc:ID"))
        elif type_code == DOC_TYPE_PROJECT and project is None:
            project = reference.required_text("cbc:ID", "BT-11 Project reference")
        else:
            supporting.append(
                SupportingDocument(
                    reference=reference.required_text("cbc:ID", "BT-122 Supporting document reference"),
                    description=reference.text("cbc:DocumentDescription"),
                    external_uri=reference.text("cac:Attachment/cac:ExternalReference/cbc:URI"),
                    attachment=_attachment(reference),
                )
            )
    order_id = root.text("cac:OrderReference/cbc:ID")
    sales_order = root.text("cac:OrderReference/cbc:SalesOrderID")
    if sales_order is not None and order_id == NOT_APPLICABLE:
        order_id = None  # the filler UBL needs when only the sales order is known
    return {
        "purchase_order_reference": order_id,
        "sales_order_reference": sales_order,
        "preceding_invoices": tuple(
            PrecedingInvoiceReference(
                number=reference.required_text("cbc:ID", "BT-25 Preceding invoice reference"),
                issue_date=reference.date("cbc:IssueDate", "BT-26", iso_date),
            )
            for reference in root.findall("cac:BillingReference/cac:InvoiceDocumentReference")
        ),
        "despatch_advice_reference": root.text("cac:DespatchDocumentReference/cbc:ID"),
        "receiving_advice_reference": root.text("cac:ReceiptDocumentReference/cbc:ID"),
        "tender_or_lot_reference": root.text("cac:OriginatorDocumentReference/cbc:ID"),
        "contract_reference": root.text("cac:ContractDocumentReference/cbc:ID"),
        "project_reference": project,
        "invoiced_object_identifier": invoiced_object,
        "supporting_documents": tuple(supporting),
    }


def _delivery(root: Node) -> Delivery | None:
    delivery = root.find("cac:Delivery")
    if delivery is None:
        return None
    location = delivery.find("cac:DeliveryLocation")
    result = Delivery(
        party_name=delivery.text("cac:DeliveryParty/cac:PartyName/cbc:Name"),
        location_id=identifier(location.find("cbc:ID")) if location else None,
        actual_delivery_date=delivery.date("cbc:ActualDeliveryDate", "BT-72", iso_date),
        address=read_address(location, "cac:Address", "BG-15 Deliver to") if location else None,
    )
    return None if result == Delivery() else result


def _payment(root: Node, creditor: str | None) -> PaymentInstructions | None:
    means = root.findall("cac:PaymentMeans")
    if not means and creditor is None:
        return None
    first = means[0] if means else None
    transfers = tuple(
        CreditTransfer(
            account_id=account.required_text("cbc:ID", "BT-84 Payment account identifier"),
            account_name=account.text("cbc:Name"),
            service_provider_id=account.text("cac:FinancialInstitutionBranch/cbc:ID"),
        )
        for entry in means
        if (account := entry.find("cac:PayeeFinancialAccount")) is not None
    )
    card_node = root.find("cac:PaymentMeans/cac:CardAccount")
    mandate = root.text("cac:PaymentMeans/cac:PaymentMandate/cbc:ID")
    debited = root.text("cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID")
    has_debit = mandate is not None or creditor is not None or debited is not None
    code_node = first.find("cbc:PaymentMeansCode") if first is not None else None
    return PaymentInstructions(
        means_code=first.text("cbc:PaymentMeansCode") if first else None,
        means_text=code_node.attr("name") if code_node is not None else None,
        remittance_information=root.text("cac:PaymentMeans/cbc:PaymentID"),
        credit_transfers=transfers,
        card=PaymentCard(
            primary_account_number=card_node.required_text("cbc:PrimaryAccountNumberID", "BT-87"),
            holder_name=card_node.text("cbc:HolderName"),
        )
        if card_node
        else None,
        direct_debit=DirectDebit(mandate_reference=mandate, creditor_id=creditor, debited_account_id=debited)
        if has_debit
        else None,
    )


def _taxes(root: Node, currency: str, tax_currency: str | None) -> dict[str, Any]:
    tax_total = None
    tax_total_accounting = None
    breakdowns: list[VatBreakdown] = []
    for total in root.findall("cac:TaxTotal"):
        amount = total.required_decimal("cbc:TaxAmount", "BT-110 Invoice total VAT amount")
        unit = total.find("cbc:TaxAmount")
        if (
            tax_currency is not None
            and tax_currency != currency
            and unit
            and unit.attr("currencyID") == tax_currency
        ):
            tax_total_accounting = amount
            continue
        if tax_total is None:
            tax_total = amount
        for subtotal in total.findall("cac:TaxSubtotal"):
            breakdowns.append(
                VatBreakdown(
                    taxable_amount=subtotal.required_decimal("cbc:TaxableAmount", "BT-116"),
                    tax_amount=subtotal.required_decimal("cbc:TaxAmount", "BT-117"),
                    category_code=subtotal.required_text(
                        "cac:TaxCategory/cbc:ID", "BT-118 VAT category code"
                    ),
                    rate=subtotal.decimal("cac:TaxCategory/cbc:Percent", "BT-119"),
                    exemption_reason=subtotal.text("cac:TaxCategory/cbc:TaxExemptionReason"),
                    exemption_reason_code=subtotal.text("cac:TaxCategory/cbc:TaxExemptionReasonCode"),
                )
            )
    monetary = root.find("cac:LegalMonetaryTotal")
    if monetary is None:
        raise InvoiceParseError("BG-22 Document totals are missing (LegalMonetaryTotal)")
    totals = DocumentTotals(
        line_net_total=monetary.decimal("cbc:LineExtensionAmount", "BT-106"),
        allowance_total=monetary.decimal("cbc:AllowanceTotalAmount", "BT-107"),
        charge_total=monetary.decimal("cbc:ChargeTotalAmount", "BT-108"),
        tax_exclusive_total=monetary.required_decimal("cbc:TaxExclusiveAmount", "BT-109"),
        tax_total=tax_total,
        tax_total_accounting_currency=tax_total_accounting,
        tax_inclusive_total=monetary.required_decimal("cbc:TaxInclusiveAmount", "BT-112"),
        prepaid_amount=monetary.decimal("cbc:PrepaidAmount", "BT-113"),
        rounding_amount=monetary.decimal("cbc:PayableRoundingAmount", "BT-114"),
        amount_due=monetary.required_decimal("cbc:PayableAmount", "BT-115"),
    )
    return {"totals": totals, "vat_breakdowns": tuple(breakdowns)}


def read_ubl(root_element: etree._Element) -> Invoice:
    """Map an already parsed UBL Invoice or CreditNote tree to the model."""
    if root_element.tag not in (INVOICE_ROOT, CREDIT_NOTE_ROOT):
        raise InvoiceParseError(f"not a UBL invoice or credit note: root element is {root_element.tag}")
    root = Node(root_element, NAMESPACES)
    credit_note = root_element.tag == CREDIT_NOTE_ROOT
    currency = root.required_text("cbc:DocumentCurrencyCode", "BT-5 Invoice currency code")
    tax_currency = root.text("cbc:TaxCurrencyCode")
    seller, seller_creditor = read_seller(root)
    payee, payee_creditor = read_payee(root)
    due_path = "cac:PaymentMeans/cbc:PaymentDueDate" if credit_note else "cbc:DueDate"
    issue_date = root.date("cbc:IssueDate", "BT-2 Invoice issue date", iso_date)
    if issue_date is None:
        raise InvoiceParseError("BT-2 Invoice issue date is missing")
    allowances, charges = split_allowances_charges(root, "document allowance/charge")
    type_path = "cbc:CreditNoteTypeCode" if credit_note else "cbc:InvoiceTypeCode"
    return Invoice(
        number=root.required_text("cbc:ID", "BT-1 Invoice number"),
        issue_date=issue_date,
        type_code=root.required_text(type_path, "BT-3 Invoice type code"),
        currency_code=currency,
        tax_currency_code=tax_currency,
        tax_point_date=root.date("cbc:TaxPointDate", "BT-7", iso_date),
        tax_point_date_code=root.text("cac:InvoicePeriod/cbc:DescriptionCode"),
        due_date=root.date(due_path, "BT-9 Payment due date", iso_date),
        buyer_reference=root.text("cbc:BuyerReference"),
        buyer_accounting_reference=root.text("cbc:AccountingCost"),
        payment_terms="\n".join(note.own_text() or "" for note in root.findall("cac:PaymentTerms/cbc:Note"))
        or None,
        notes=tuple(_note(note.own_text() or "") for note in root.findall("cbc:Note")),
        business_process_type=root.text("cbc:ProfileID"),
        specification_identifier=root.required_text("cbc:CustomizationID", "BT-24 Specification identifier"),
        seller=seller,
        buyer=read_buyer(root),
        payee=payee,
        tax_representative=read_tax_representative(root),
        delivery=_delivery(root),
        invoicing_period=read_period(root, "BG-14 Invoicing period"),
        payment_instructions=_payment(root, seller_creditor or payee_creditor),
        allowances=allowances,
        charges=charges,
        lines=tuple(
            read_line(line)
            for line in root.findall("cac:CreditNoteLine" if credit_note else "cac:InvoiceLine")
        ),
        **_references(root),
        **_taxes(root, currency, tax_currency),
    )


def parse_ubl(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Invoice:
    """Parse untrusted UBL bytes safely into the model."""
    return read_ubl(parse_xml(data, max_bytes=max_bytes))

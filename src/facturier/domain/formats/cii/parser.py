"""UN/CEFACT CII XML (any Factur-X profile, XRechnung CII) -> EN 16931 model."""

from __future__ import annotations

from typing import Any

from lxml import etree

from facturier.domain.en16931.model import (
    Attachment,
    Delivery,
    DirectDebit,
    DocumentTotals,
    Identifier,
    Invoice,
    Note,
    PaymentInstructions,
    PrecedingInvoiceReference,
    SupportingDocument,
    TaxRepresentative,
    VatBreakdown,
)
from facturier.domain.formats.cii.namespaces import (
    DOC_TYPE_INVOICED_OBJECT,
    DOC_TYPE_TENDER,
    NAMESPACES,
    ROOT_TAG,
)
from facturier.domain.formats.cii.read_lines import read_line, read_period, split_allowances_charges
from facturier.domain.formats.cii.read_parties import (
    cii_date,
    identifier,
    read_address,
    read_buyer,
    read_payee,
    read_seller,
    vat_registration,
)
from facturier.domain.formats.cii.read_payment import read_credit_transfers
from facturier.domain.formats.errors import InvoiceParseError
from facturier.domain.formats.safe_xml import DEFAULT_MAX_BYTES, parse_xml
from facturier.domain.formats.xml_reader import Node, read_attachment


def _required(parent: Node, path: str, term: str) -> Node:
    found = parent.find(path)
    if found is None:
        raise InvoiceParseError(f"{term} is missing ({path})")
    return found


def _attachment(document: Node) -> Attachment | None:
    return read_attachment(document.find("ram:AttachmentBinaryObject"))


def _references(agreement: Node) -> dict[str, Any]:
    supporting: list[SupportingDocument] = []
    tender: str | None = None
    invoiced_object: Identifier | None = None
    for document in agreement.findall("ram:AdditionalReferencedDocument"):
        type_code = document.text("ram:TypeCode")
        reference = document.required_text("ram:IssuerAssignedID", "BT-122 Supporting document reference")
        if type_code == DOC_TYPE_TENDER and tender is None:
            tender = reference
        elif type_code == DOC_TYPE_INVOICED_OBJECT and invoiced_object is None:
            invoiced_object = Identifier(value=reference, scheme_id=document.text("ram:ReferenceTypeCode"))
        else:
            supporting.append(
                SupportingDocument(
                    reference=reference,
                    description=document.text("ram:Name"),
                    external_uri=document.text("ram:URIID"),
                    attachment=_attachment(document),
                )
            )
    return {
        "supporting_documents": tuple(supporting),
        "tender_or_lot_reference": tender,
        "invoiced_object_identifier": invoiced_object,
    }


def _agreement(agreement: Node) -> dict[str, Any]:
    representative = agreement.find("ram:SellerTaxRepresentativeTradeParty")
    tax_representative = None
    if representative is not None:
        address = read_address(representative, "BG-12 Tax representative")
        if address is None:
            raise InvoiceParseError("BG-12 Tax representative postal address is missing")
        tax_representative = TaxRepresentative(
            name=representative.required_text("ram:Name", "BT-62 Tax representative name"),
            vat_id=vat_registration(representative) or "",
            address=address,
        )
    return {
        "buyer_reference": agreement.text("ram:BuyerReference"),
        "seller": read_seller(_required(agreement, "ram:SellerTradeParty", "BG-4 Seller")),
        "buyer": read_buyer(_required(agreement, "ram:BuyerTradeParty", "BG-7 Buyer")),
        "tax_representative": tax_representative,
        "sales_order_reference": agreement.text("ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
        "purchase_order_reference": agreement.text("ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        "contract_reference": agreement.text("ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        "project_reference": agreement.text("ram:SpecifiedProcuringProject/ram:ID"),
        **_references(agreement),
    }


def _delivery(delivery: Node) -> dict[str, Any]:
    ship_to = delivery.find("ram:ShipToTradeParty")
    event_date = cii_date(delivery.find("ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime"), "BT-72")
    result: Delivery | None = None
    if ship_to is not None or event_date is not None:
        location = None
        if ship_to is not None:
            location = identifier(ship_to.find("ram:ID")) or identifier(ship_to.find("ram:GlobalID"))
        result = Delivery(
            party_name=ship_to.text("ram:Name") if ship_to is not None else None,
            location_id=location,
            actual_delivery_date=event_date,
            address=read_address(ship_to, "BG-15 Deliver to") if ship_to is not None else None,
        )
    if result == Delivery():
        result = None  # an empty ShipToTradeParty carries no information
    return {
        "delivery": result,
        "despatch_advice_reference": delivery.text(
            "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID"
        ),
        "receiving_advice_reference": delivery.text(
            "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID"
        ),
    }


def _payment(settlement: Node) -> PaymentInstructions | None:
    means = settlement.findall("ram:SpecifiedTradeSettlementPaymentMeans")
    mandate = settlement.text("ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID")
    creditor = settlement.text("ram:CreditorReferenceID")
    debited = settlement.text(
        "ram:SpecifiedTradeSettlementPaymentMeans/ram:PayerPartyDebtorFinancialAccount/ram:IBANID"
    )
    remittance = settlement.text("ram:PaymentReference")
    if not means and mandate is None and creditor is None and remittance is None:
        return None
    first = means[0] if means else None
    card = read_credit_transfers(means)[1]
    has_debit = mandate is not None or creditor is not None or debited is not None
    return PaymentInstructions(
        means_code=first.text("ram:TypeCode") if first is not None else None,
        means_text=first.text("ram:Information") if first is not None else None,
        remittance_information=remittance,
        credit_transfers=read_credit_transfers(means)[0],
        card=card,
        direct_debit=DirectDebit(mandate_reference=mandate, creditor_id=creditor, debited_account_id=debited)
        if has_debit
        else None,
    )


def _totals(settlement: Node, currency: str, tax_currency: str | None) -> DocumentTotals:
    summation = _required(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation", "BG-22 Totals")
    tax_total = None
    tax_total_accounting = None
    for amount in summation.findall("ram:TaxTotalAmount"):
        value = amount.required_decimal(".", "BT-110 Invoice total VAT amount")
        unit = amount.attr("currencyID")
        if tax_currency is not None and unit == tax_currency and tax_currency != currency:
            tax_total_accounting = value
        elif tax_total is None:
            tax_total = value
    return DocumentTotals(
        line_net_total=summation.decimal("ram:LineTotalAmount", "BT-106"),
        allowance_total=summation.decimal("ram:AllowanceTotalAmount", "BT-107"),
        charge_total=summation.decimal("ram:ChargeTotalAmount", "BT-108"),
        tax_exclusive_total=summation.required_decimal("ram:TaxBasisTotalAmount", "BT-109"),
        tax_total=tax_total,
        tax_total_accounting_currency=tax_total_accounting,
        tax_inclusive_total=summation.required_decimal("ram:GrandTotalAmount", "BT-112"),
        prepaid_amount=summation.decimal("ram:TotalPrepaidAmount", "BT-113"),
        rounding_amount=summation.decimal("ram:RoundingAmount", "BT-114"),
        amount_due=summation.required_decimal("ram:DuePayableAmount", "BT-115"),
    )


def _vat_breakdown(tax: Node) -> VatBreakdown:
    return VatBreakdown(
        taxable_amount=tax.required_decimal("ram:BasisAmount", "BT-116 VAT category taxable amount"),
        tax_amount=tax.required_decimal("ram:CalculatedAmount", "BT-117 VAT category tax amount"),
        category_code=tax.required_text("ram:CategoryCode", "BT-118 VAT category code"),
        rate=tax.decimal("ram:RateApplicablePercent", "BT-119 VAT category rate"),
        exemption_reason=tax.text("ram:ExemptionReason"),
        exemption_reason_code=tax.text("ram:ExemptionReasonCode"),
    )


def _settlement(settlement: Node) -> dict[str, Any]:
    currency = settlement.required_text("ram:InvoiceCurrencyCode", "BT-5 Invoice currency code")
    tax_currency = settlement.text("ram:TaxCurrencyCode")
    taxes = settlement.findall("ram:ApplicableTradeTax")
    payee = settlement.find("ram:PayeeTradeParty")
    descriptions = [
        node.own_text() or "" for node in settlement.findall("ram:SpecifiedTradePaymentTerms/ram:Description")
    ]
    due_dates = [
        cii_date(node, "BT-9 Payment due date")
        for node in settlement.findall("ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime")
    ]
    allowances, charges = split_allowances_charges(settlement, "document allowance/charge")
    return {
        "currency_code": currency,
        "tax_currency_code": tax_currency,
        "tax_point_date": next(
            (cii_date(tax.find("ram:TaxPointDate"), "BT-7") for tax in taxes if tax.find("ram:TaxPointDate")),
            None,
        ),
        "tax_point_date_code": next(
            (tax.text("ram:DueDateTypeCode") for tax in taxes if tax.text("ram:DueDateTypeCode")), None
        ),
        "due_date": due_dates[0] if due_dates else None,
        "payment_terms": "\n".join(descriptions) if descriptions else None,
        "payee": read_payee(payee) if payee is not None else None,
        "payment_instructions": _payment(settlement),
        "vat_breakdowns": tuple(_vat_breakdown(tax) for tax in taxes),
        "invoicing_period": read_period(settlement, "BG-14 Invoicing period"),
        "allowances": allowances,
        "charges": charges,
        "totals": _totals(settlement, currency, tax_currency),
        "preceding_invoices": tuple(
            PrecedingInvoiceReference(
                number=reference.required_text("ram:IssuerAssignedID", "BT-25 Preceding invoice reference"),
                issue_date=cii_date(
                    reference.find("ram:FormattedIssueDateTime"), "BT-26 Preceding invoice date"
                ),
            )
            for reference in settlement.findall("ram:InvoiceReferencedDocument")
        ),
        "buyer_accounting_reference": settlement.text("ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID"),
    }


def read_cii(root_element: etree._Element) -> Invoice:
    """Map an already parsed CII tree to the model (raises InvoiceParseError on missing terms)."""
    if root_element.tag != ROOT_TAG:
        raise InvoiceParseError(f"not a CII invoice: root element is {root_element.tag}")
    root = Node(root_element, NAMESPACES)
    document = _required(root, "rsm:ExchangedDocument", "ExchangedDocument")
    transaction = _required(root, "rsm:SupplyChainTradeTransaction", "SupplyChainTradeTransaction")
    issue_date = cii_date(_required(document, "ram:IssueDateTime", "BT-2 Invoice issue date"), "BT-2")
    if issue_date is None:  # pragma: no cover - cii_date only returns None without a wrapper
        raise InvoiceParseError("BT-2 Invoice issue date is missing")
    return Invoice(
        number=document.required_text("ram:ID", "BT-1 Invoice number"),
        issue_date=issue_date,
        type_code=document.required_text("ram:TypeCode", "BT-3 Invoice type code"),
        notes=tuple(
            Note(
                text="\n".join(c.own_text() or "" for c in note.findall("ram:Content")),
                subject_code=note.text("ram:SubjectCode"),
            )
            for note in document.findall("ram:IncludedNote")
        ),
        business_process_type=root.text(
            "rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"
        ),
        specification_identifier=root.required_text(
            "rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            "BT-24 Specification identifier",
        ),
        lines=tuple(read_line(line) for line in transaction.findall("ram:IncludedSupplyChainTradeLineItem")),
        **_agreement(
            _required(transaction, "ram:ApplicableHeaderTradeAgreement", "ApplicableHeaderTradeAgreement")
        ),
        **_delivery(
            _required(transaction, "ram:ApplicableHeaderTradeDelivery", "ApplicableHeaderTradeDelivery")
        ),
        **_settlement(
            _required(transaction, "ram:ApplicableHeaderTradeSettlement", "ApplicableHeaderTradeSettlement")
        ),
    )


def parse_cii(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Invoice:
    """Parse untrusted CII bytes safely into the model."""
    return read_cii(parse_xml(data, max_bytes=max_bytes))

"""CII ApplicableHeaderTradeSettlement: payment, VAT breakdown, allowances/charges, totals."""

from __future__ import annotations

import re

from lxml import etree

from facturier.domain.en16931.model import AllowanceCharge, Invoice, PaymentInstructions
from facturier.domain.formats.cii.namespaces import NAMESPACES
from facturier.domain.formats.cii.write_header import write_date_time
from facturier.domain.formats.cii.write_parties import write_identifiers, write_legal_organization
from facturier.domain.formats.lexical import date_to_102
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)
VAT = "VAT"
_IBAN_SHAPE = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$")


def write_allowance_charge(
    parent: etree._Element, entry: AllowanceCharge, *, is_charge: bool, with_tax: bool
) -> None:
    """TradeAllowanceChargeType: shared by document (with VAT category) and line level."""
    element = W.child(parent, "ram:SpecifiedTradeAllowanceCharge")
    indicator = W.child(element, "ram:ChargeIndicator")
    W.child(indicator, "udt:Indicator", "true" if is_charge else "false")
    W.amount(element, "ram:CalculationPercent", entry.percentage)
    W.amount(element, "ram:BasisAmount", entry.base_amount)
    W.amount(element, "ram:ActualAmount", entry.amount)
    W.optional(element, "ram:ReasonCode", entry.reason_code)
    W.optional(element, "ram:Reason", entry.reason)
    if with_tax and (entry.vat_category_code is not None or entry.vat_rate is not None):
        tax = W.child(element, "ram:CategoryTradeTax")
        W.child(tax, "ram:TypeCode", VAT)
        W.optional(tax, "ram:CategoryCode", entry.vat_category_code)
        W.amount(tax, "ram:RateApplicablePercent", entry.vat_rate)


def _write_payment_means(settlement: etree._Element, payment: PaymentInstructions) -> None:
    """One SpecifiedTradeSettlementPaymentMeans per credit transfer (card/debit on the first)."""
    transfers = payment.credit_transfers or (None,)
    for index, transfer in enumerate(transfers):
        means = W.child(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        W.child(means, "ram:TypeCode", payment.means_code)
        W.optional(means, "ram:Information", payment.means_text)
        if index == 0 and payment.card is not None:
            card = W.child(means, "ram:ApplicableTradeSettlementFinancialCard")
            W.child(card, "ram:ID", payment.card.primary_account_number)
            W.optional(card, "ram:CardholderName", payment.card.holder_name)
        debit = payment.direct_debit
        if index == 0 and debit is not None and debit.debited_account_id is not None:
            account = W.child(means, "ram:PayerPartyDebtorFinancialAccount")
            W.child(account, "ram:IBANID", debit.debited_account_id)
        if transfer is not None:
            account = W.child(means, "ram:PayeePartyCreditorFinancialAccount")
            is_iban = _IBAN_SHAPE.match(transfer.account_id) is not None
            W.optional(account, "ram:IBANID", transfer.account_id if is_iban else None)
            W.optional(account, "ram:AccountName", transfer.account_name)
            W.optional(account, "ram:ProprietaryID", None if is_iban else transfer.account_id)
            if transfer.service_provider_id is not None:
                institution = W.child(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
                W.child(institution, "ram:BICID", transfer.service_provider_id)


def _write_vat_breakdowns(settlement: etree._Element, invoice: Invoice) -> None:
    """BT-7 and BT-8 are document-level: written once, in the first breakdown (CII-SR-461, CII-SR-462)."""
    for index, breakdown in enumerate(invoice.vat_breakdowns):
        tax = W.child(settlement, "ram:ApplicableTradeTax")
        W.amount(tax, "ram:CalculatedAmount", breakdown.tax_amount)
        W.child(tax, "ram:TypeCode", VAT)
        W.optional(tax, "ram:ExemptionReason", breakdown.exemption_reason)
        W.amount(tax, "ram:BasisAmount", breakdown.taxable_amount)
        W.child(tax, "ram:CategoryCode", breakdown.category_code)
        W.optional(tax, "ram:ExemptionReasonCode", breakdown.exemption_reason_code)
        if index == 0 and invoice.tax_point_date is not None:
            point = W.child(tax, "ram:TaxPointDate")
            W.child(point, "udt:DateString", date_to_102(invoice.tax_point_date), {"format": "102"})
        W.optional(tax, "ram:DueDateTypeCode", invoice.tax_point_date_code if index == 0 else None)
        W.amount(tax, "ram:RateApplicablePercent", breakdown.rate)


def _write_payment_terms(settlement: etree._Element, invoice: Invoice) -> None:
    debit = invoice.payment_instructions.direct_debit if invoice.payment_instructions else None
    mandate = debit.mandate_reference if debit is not None else None
    if invoice.payment_terms is None and invoice.due_date is None and mandate is None:
        return
    terms = W.child(settlement, "ram:SpecifiedTradePaymentTerms")
    W.optional(terms, "ram:Description", invoice.payment_terms)
    write_date_time(terms, "ram:DueDateDateTime", invoice.due_date)
    W.optional(terms, "ram:DirectDebitMandateID", mandate)


def _write_totals(settlement: etree._Element, invoice: Invoice) -> None:
    totals = invoice.totals
    summation = W.child(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    W.amount(summation, "ram:LineTotalAmount", totals.line_net_total)
    W.amount(summation, "ram:ChargeTotalAmount", totals.charge_total)
    W.amount(summation, "ram:AllowanceTotalAmount", totals.allowance_total)
    W.amount(summation, "ram:TaxBasisTotalAmount", totals.tax_exclusive_total)
    W.amount(summation, "ram:TaxTotalAmount", totals.tax_total, {"currencyID": invoice.currency_code})
    W.amount(
        summation,
        "ram:TaxTotalAmount",
        totals.tax_total_accounting_currency,
        {"currencyID": invoice.tax_currency_code},
    )
    W.amount(summation, "ram:RoundingAmount", totals.rounding_amount)
    W.amount(summation, "ram:GrandTotalAmount", totals.tax_inclusive_total)
    W.amount(summation, "ram:TotalPrepaidAmount", totals.prepaid_amount)
    W.amount(summation, "ram:DuePayableAmount", totals.amount_due)


def write_settlement(transaction: etree._Element, invoice: Invoice) -> None:
    settlement = W.child(transaction, "ram:ApplicableHeaderTradeSettlement")
    payment = invoice.payment_instructions
    debit = payment.direct_debit if payment is not None else None
    W.optional(settlement, "ram:CreditorReferenceID", debit.creditor_id if debit is not None else None)
    W.optional(settlement, "ram:PaymentReference", payment.remittance_information if payment else None)
    W.optional(settlement, "ram:TaxCurrencyCode", invoice.tax_currency_code)
    W.child(settlement, "ram:InvoiceCurrencyCode", invoice.currency_code)
    if invoice.payee is not None:
        party = W.child(settlement, "ram:PayeeTradeParty")
        write_identifiers(party, invoice.payee.identifiers)
        W.child(party, "ram:Name", invoice.payee.name)
        write_legal_organization(party, invoice.payee.legal_registration_id, None)
    if payment is not None:
        _write_payment_means(settlement, payment)
    _write_vat_breakdowns(settlement, invoice)
    period = invoice.invoicing_period
    if period is not None:
        element = W.child(settlement, "ram:BillingSpecifiedPeriod")
        write_date_time(element, "ram:StartDateTime", period.start_date)
        write_date_time(element, "ram:EndDateTime", period.end_date)
    for allowance in invoice.allowances:
        write_allowance_charge(settlement, allowance, is_charge=False, with_tax=True)
    for charge in invoice.charges:
        write_allowance_charge(settlement, charge, is_charge=True, with_tax=True)
    _write_payment_terms(settlement, invoice)
    _write_totals(settlement, invoice)
    for preceding in invoice.preceding_invoices[:1]:  # D16B allows one InvoiceReferencedDocument
        reference = W.child(settlement, "ram:InvoiceReferencedDocument")
        W.child(reference, "ram:IssuerAssignedID", preceding.number)
        if preceding.issue_date is not None:
            formatted = W.child(reference, "ram:FormattedIssueDateTime")
            W.child(formatted, "qdt:DateTimeString", date_to_102(preceding.issue_date), {"format": "102"})
    if invoice.buyer_accounting_reference is not None:
        account = W.child(settlement, "ram:ReceivableSpecifiedTradeAccountingAccount")
        W.child(account, "ram:ID", invoice.buyer_accounting_reference)

"""UBL payment means, allowances/charges, tax totals and monetary totals."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from facturier.domain.en16931.model import AllowanceCharge, Invoice, Period
from facturier.domain.formats.ubl.namespaces import NAMESPACES, NOT_APPLICABLE, VAT
from facturier.domain.formats.xml_writer import ElementWriter

W = ElementWriter(NAMESPACES)
_UNDEFINED_MEANS = "1"


def write_period(parent: etree._Element, period: Period | None, description_code: str | None = None) -> None:
    if period is None and description_code is None:
        return
    element = W.child(parent, "cac:InvoicePeriod")
    if period is not None:
        W.optional(element, "cbc:StartDate", period.start_date.isoformat() if period.start_date else None)
        W.optional(element, "cbc:EndDate", period.end_date.isoformat() if period.end_date else None)
    W.optional(element, "cbc:DescriptionCode", description_code)


def write_tax_category(
    parent: etree._Element, tag: str, code: str | None, rate: Decimal | None, **exemption: str | None
) -> None:
    category = W.child(parent, tag)
    W.optional(category, "cbc:ID", code)
    W.amount(category, "cbc:Percent", rate)
    W.optional(category, "cbc:TaxExemptionReasonCode", exemption.get("reason_code"))
    W.optional(category, "cbc:TaxExemptionReason", exemption.get("reason"))
    W.child(W.child(category, "cac:TaxScheme"), "cbc:ID", VAT)


def write_allowance_charge(
    parent: etree._Element, entry: AllowanceCharge, *, is_charge: bool, currency: str, with_tax: bool
) -> None:
    element = W.child(parent, "cac:AllowanceCharge")
    W.child(element, "cbc:ChargeIndicator", "true" if is_charge else "false")
    W.optional(element, "cbc:AllowanceChargeReasonCode", entry.reason_code)
    W.optional(element, "cbc:AllowanceChargeReason", entry.reason)
    W.amount(element, "cbc:MultiplierFactorNumeric", entry.percentage)
    W.amount(element, "cbc:Amount", entry.amount, {"currencyID": currency})
    W.amount(element, "cbc:BaseAmount", entry.base_amount, {"currencyID": currency})
    if with_tax and (entry.vat_category_code is not None or entry.vat_rate is not None):
        write_tax_category(element, "cac:TaxCategory", entry.vat_category_code, entry.vat_rate)


def write_payment_means(root: etree._Element, invoice: Invoice) -> None:
    """One cac:PaymentMeans per credit transfer; card, mandate and due date (credit note) on the first."""
    payment = invoice.payment_instructions
    credit_note_due = invoice.due_date if invoice.is_credit_note else None
    if payment is None and credit_note_due is None:
        return
    debit = payment.direct_debit if payment is not None else None
    has_mandate = debit is not None and (debit.mandate_reference or debit.debited_account_id) is not None
    has_means = payment is not None and (
        payment.means_code or payment.remittance_information or payment.credit_transfers or payment.card
    )
    if not has_means and not has_mandate and credit_note_due is None:
        return  # only a creditor id: it travels as a party identifier
    transfers = (payment.credit_transfers if payment is not None else ()) or (None,)
    for index, transfer in enumerate(transfers):
        means = W.child(root, "cac:PaymentMeans")
        code = payment.means_code if payment is not None else None
        text = payment.means_text if payment is not None else None
        # BT-82 the payment means text is document-level: once, on the first means (UBL-SR-46)
        W.child(
            means, "cbc:PaymentMeansCode", code or _UNDEFINED_MEANS, {"name": text if index == 0 else None}
        )
        if index == 0 and credit_note_due is not None:
            W.child(means, "cbc:PaymentDueDate", credit_note_due.isoformat())
        W.optional(means, "cbc:PaymentID", payment.remittance_information if payment is not None else None)
        if index == 0 and payment is not None and payment.card is not None:
            card = W.child(means, "cac:CardAccount")
            W.child(card, "cbc:PrimaryAccountNumberID", payment.card.primary_account_number)
            W.child(card, "cbc:NetworkID", NOT_APPLICABLE)
            W.optional(card, "cbc:HolderName", payment.card.holder_name)
        if transfer is not None:
            account = W.child(means, "cac:PayeeFinancialAccount")
            W.child(account, "cbc:ID", transfer.account_id)
            W.optional(account, "cbc:Name", transfer.account_name)
            if transfer.service_provider_id is not None:
                branch = W.child(account, "cac:FinancialInstitutionBranch")
                W.child(branch, "cbc:ID", transfer.service_provider_id)
        if index == 0 and debit is not None and has_mandate:
            mandate = W.child(means, "cac:PaymentMandate")
            W.optional(mandate, "cbc:ID", debit.mandate_reference)
            if debit.debited_account_id is not None:
                W.child(W.child(mandate, "cac:PayerFinancialAccount"), "cbc:ID", debit.debited_account_id)


def write_tax_totals(root: etree._Element, invoice: Invoice) -> None:
    totals = invoice.totals
    if totals.tax_total is not None or invoice.vat_breakdowns:
        tax_total = W.child(root, "cac:TaxTotal")
        W.amount(
            tax_total,
            "cbc:TaxAmount",
            totals.tax_total or Decimal("0"),
            {"currencyID": invoice.currency_code},
        )
        for breakdown in invoice.vat_breakdowns:
            subtotal = W.child(tax_total, "cac:TaxSubtotal")
            W.amount(
                subtotal, "cbc:TaxableAmount", breakdown.taxable_amount, {"currencyID": invoice.currency_code}
            )
            W.amount(subtotal, "cbc:TaxAmount", breakdown.tax_amount, {"currencyID": invoice.currency_code})
            write_tax_category(
                subtotal,
                "cac:TaxCategory",
                breakdown.category_code,
                breakdown.rate,
                reason_code=breakdown.exemption_reason_code,
                reason=breakdown.exemption_reason,
            )
    if totals.tax_total_accounting_currency is not None:
        tax_total = W.child(root, "cac:TaxTotal")
        W.amount(
            tax_total,
            "cbc:TaxAmount",
            totals.tax_total_accounting_currency,
            {"currencyID": invoice.tax_currency_code},
        )


def write_monetary_total(root: etree._Element, invoice: Invoice) -> None:
    totals = invoice.totals
    currency = {"currencyID": invoice.currency_code}
    element = W.child(root, "cac:LegalMonetaryTotal")
    W.amount(element, "cbc:LineExtensionAmount", totals.line_net_total, currency)
    W.amount(element, "cbc:TaxExclusiveAmount", totals.tax_exclusive_total, currency)
    W.amount(element, "cbc:TaxInclusiveAmount", totals.tax_inclusive_total, currency)
    W.amount(element, "cbc:AllowanceTotalAmount", totals.allowance_total, currency)
    W.amount(element, "cbc:ChargeTotalAmount", totals.charge_total, currency)
    W.amount(element, "cbc:PrepaidAmount", totals.prepaid_amount, currency)
    W.amount(element, "cbc:PayableRoundingAmount", totals.rounding_amount, currency)
    W.amount(element, "cbc:PayableAmount", totals.amount_due, currency)

"""OASIS UBL 2.1 namespaces and the constants of the EN 16931 UBL binding."""

from __future__ import annotations

INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

NAMESPACES: dict[str, str] = {"inv": INVOICE, "cn": CREDIT_NOTE, "cac": CAC, "cbc": CBC}
INVOICE_ROOT = f"{{{INVOICE}}}Invoice"
CREDIT_NOTE_ROOT = f"{{{CREDIT_NOTE}}}CreditNote"

VAT = "VAT"
SEPA_SCHEME = "SEPA"
"""PartyIdentification/ID schemeID that marks the SEPA creditor identifier (BT-90)."""
LOCAL_TAX_SCHEME = "FC"
"""TaxScheme/ID used for the seller tax registration identifier (BT-32): anything but VAT."""
DOC_TYPE_PROJECT = "50"
DOC_TYPE_INVOICED_OBJECT = "130"
NOT_APPLICABLE = "NA"
"""Filler for UBL elements the XSD requires but EN 16931 does not (OrderReference/ID...)."""

INVOICE_ORDER = (
    "CustomizationID ProfileID ID IssueDate DueDate InvoiceTypeCode Note TaxPointDate DocumentCurrencyCode "
    "TaxCurrencyCode AccountingCost BuyerReference InvoicePeriod OrderReference BillingReference "
    "DespatchDocumentReference ReceiptDocumentReference OriginatorDocumentReference ContractDocumentReference "
    "AdditionalDocumentReference ProjectReference AccountingSupplierParty AccountingCustomerParty PayeeParty "
    "TaxRepresentativeParty Delivery PaymentMeans PaymentTerms AllowanceCharge TaxTotal LegalMonetaryTotal "
    "InvoiceLine"
).split()
"""Root children in UBL-Invoice-2.1.xsd order (only those EN 16931 uses)."""

CREDIT_NOTE_ORDER = (
    "CustomizationID ProfileID ID IssueDate TaxPointDate CreditNoteTypeCode Note DocumentCurrencyCode "
    "TaxCurrencyCode AccountingCost BuyerReference InvoicePeriod OrderReference BillingReference "
    "DespatchDocumentReference ReceiptDocumentReference ContractDocumentReference AdditionalDocumentReference "
    "OriginatorDocumentReference AccountingSupplierParty AccountingCustomerParty PayeeParty "
    "TaxRepresentativeParty Delivery PaymentMeans PaymentTerms AllowanceCharge TaxTotal LegalMonetaryTotal "
    "CreditNoteLine"
).split()
"""Root children in UBL-CreditNote-2.1.xsd order (only those EN 16931 uses)."""

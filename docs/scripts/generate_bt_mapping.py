"""Generate docs/bt-mapping.md: BT/BG id -> model field -> CII XPath -> UBL XPath.

Model field names come from the dataclass metadata (so the doc follows the model); the
XPaths are those our serializers write (facturier/domain/formats/{cii,ubl}). The script
fails if a model term has no mapping row, so the table cannot silently fall behind.

Run from the repository root:  PYTHONPATH=src .venv/bin/python docs/scripts/generate_bt_mapping.py
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from pathlib import Path

from facturier.domain.en16931 import model

TARGET = Path(__file__).resolve().parents[1] / "bt-mapping.md"
H = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
AG, DL, ST = (
    H + "ram:ApplicableHeaderTradeAgreement/",
    H + "ram:ApplicableHeaderTradeDelivery/",
    H + "ram:ApplicableHeaderTradeSettlement/",
)
LI = H + "ram:IncludedSupplyChainTradeLineItem/"
SELL, BUY = AG + "ram:SellerTradeParty/", AG + "ram:BuyerTradeParty/"
SP, CP = "/Invoice/cac:AccountingSupplierParty/cac:Party/", "/Invoice/cac:AccountingCustomerParty/cac:Party/"
U, UL = "/Invoice/", "/Invoice/cac:InvoiceLine/"
ADDR = "ram:PostalTradeAddress"

MAPPING: dict[str, tuple[str, str]] = {
    "BT-1": ("/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:ID", U + "cbc:ID"),
    "BT-2": (
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString",
        U + "cbc:IssueDate",
    ),
    "BT-3": (
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:TypeCode",
        U + "cbc:InvoiceTypeCode | /CreditNote/cbc:CreditNoteTypeCode",
    ),
    "BT-5": (ST + "ram:InvoiceCurrencyCode", U + "cbc:DocumentCurrencyCode"),
    "BT-6": (ST + "ram:TaxCurrencyCode", U + "cbc:TaxCurrencyCode"),
    "BT-7": (ST + "ram:ApplicableTradeTax/ram:TaxPointDate/udt:DateString", U + "cbc:TaxPointDate"),
    "BT-8": (ST + "ram:ApplicableTradeTax/ram:DueDateTypeCode", U + "cac:InvoicePeriod/cbc:DescriptionCode"),
    "BT-9": (
        ST + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
        U + "cbc:DueDate | /CreditNote/cac:PaymentMeans/cbc:PaymentDueDate",
    ),
    "BT-10": (AG + "ram:BuyerReference", U + "cbc:BuyerReference"),
    "BT-11": (
        AG + "ram:SpecifiedProcuringProject/ram:ID",
        U
        + "cac:ProjectReference/cbc:ID | /CreditNote/cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID",
    ),
    "BT-12": (
        AG + "ram:ContractReferencedDocument/ram:IssuerAssignedID",
        U + "cac:ContractDocumentReference/cbc:ID",
    ),
    "BT-13": (AG + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", U + "cac:OrderReference/cbc:ID"),
    "BT-14": (
        AG + "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID",
        U + "cac:OrderReference/cbc:SalesOrderID",
    ),
    "BT-15": (
        DL + "ram:ReceivingAdviceReferencedDocument/ram:IssuerAssignedID",
        U + "cac:ReceiptDocumentReference/cbc:ID",
    ),
    "BT-16": (
        DL + "ram:DespatchAdviceReferencedDocument/ram:IssuerAssignedID",
        U + "cac:DespatchDocumentReference/cbc:ID",
    ),
    "BT-17": (
        AG + "ram:AdditionalReferencedDocument[ram:TypeCode='50']/ram:IssuerAssignedID",
        U + "cac:OriginatorDocumentReference/cbc:ID",
    ),
    "BT-18": (
        AG
        + "ram:AdditionalReferencedDocument[ram:TypeCode='130']/ram:IssuerAssignedID (+ ram:ReferenceTypeCode)",
        U + "cac:AdditionalDocumentReference[cbc:DocumentTypeCode='130']/cbc:ID (+ @schemeID)",
    ),
    "BT-19": (ST + "ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID", U + "cbc:AccountingCost"),
    "BT-20": (ST + "ram:SpecifiedTradePaymentTerms/ram:Description", U + "cac:PaymentTerms/cbc:Note"),
    "BG-1": (
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IncludedNote",
        U + "cbc:Note ('#CODE#text' when BT-21 is set)",
    ),
    "BT-21": ("…/ram:IncludedNote/ram:SubjectCode", U + "cbc:Note prefix #CODE#"),
    "BT-22": ("…/ram:IncludedNote/ram:Content", U + "cbc:Note"),
    "BT-23": (
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
        U + "cbc:ProfileID",
    ),
    "BT-24": (
        "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
        U + "cbc:CustomizationID",
    ),
    "BG-3": (
        ST + "ram:InvoiceReferencedDocument (D16B: one)",
        U + "cac:BillingReference/cac:InvoiceDocumentReference",
    ),
    "BT-25": (
        ST + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID",
        U + "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID",
    ),
    "BT-26": (
        ST + "ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString",
        U + "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate",
    ),
    "BG-4": (AG + "ram:SellerTradeParty", U + "cac:AccountingSupplierParty/cac:Party"),
    "BT-27": (SELL + "ram:Name", SP + "cac:PartyLegalEntity/cbc:RegistrationName"),
    "BT-28": (SELL + "ram:SpecifiedLegalOrganization/ram:TradingBusinessName", SP + "cac:PartyName/cbc:Name"),
    "BT-29": (
        SELL + "ram:ID | ram:GlobalID/@schemeID",
        SP + "cac:PartyIdentification/cbc:ID[@schemeID!='SEPA']",
    ),
    "BT-30": (
        SELL + "ram:SpecifiedLegalOrganization/ram:ID/@schemeID",
        SP + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID",
    ),
    "BT-31": (
        SELL + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
        SP + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID",
    ),
    "BT-32": (
        SELL + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']",
        SP + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID!='VAT']/cbc:CompanyID",
    ),
    "BT-33": (SELL + "ram:Description", SP + "cac:PartyLegalEntity/cbc:CompanyLegalForm"),
    "BT-34": (SELL + "ram:URIUniversalCommunication/ram:URIID/@schemeID", SP + "cbc:EndpointID/@schemeID"),
    "BG-5": (SELL + ADDR, SP + "cac:PostalAddress"),
    "BT-35": ("…/" + ADDR + "/ram:LineOne", "…/cac:PostalAddress/cbc:StreetName"),
    "BT-36": ("…/" + ADDR + "/ram:LineTwo", "…/cac:PostalAddress/cbc:AdditionalStreetName"),
    "BT-162": ("…/" + ADDR + "/ram:LineThree", "…/cac:PostalAddress/cac:AddressLine/cbc:Line"),
    "BT-37": ("…/" + ADDR + "/ram:CityName", "…/cac:PostalAddress/cbc:CityName"),
    "BT-38": ("…/" + ADDR + "/ram:PostcodeCode", "…/cac:PostalAddress/cbc:PostalZone"),
    "BT-39": ("…/" + ADDR + "/ram:CountrySubDivisionName", "…/cac:PostalAddress/cbc:CountrySubentity"),
    "BT-40": ("…/" + ADDR + "/ram:CountryID", "…/cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    "BG-6": (SELL + "ram:DefinedTradeContact", SP + "cac:Contact"),
    "BT-41": (
        "…/ram:DefinedTradeContact/ram:PersonName (or ram:DepartmentName on input)",
        "…/cac:Contact/cbc:Name",
    ),
    "BT-42": (
        "…/ram:DefinedTradeContact/ram:TelephoneUniversalCommunication/ram:CompleteNumber",
        "…/cac:Contact/cbc:Telephone",
    ),
    "BT-43": (
        "…/ram:DefinedTradeContact/ram:EmailURIUniversalCommunication/ram:URIID",
        "…/cac:Contact/cbc:ElectronicMail",
    ),
    "BG-7": (AG + "ram:BuyerTradeParty", U + "cac:AccountingCustomerParty/cac:Party"),
    "BT-44": (BUY + "ram:Name", CP + "cac:PartyLegalEntity/cbc:RegistrationName"),
    "BT-45": (BUY + "ram:SpecifiedLegalOrganization/ram:TradingBusinessName", CP + "cac:PartyName/cbc:Name"),
    "BT-46": (BUY + "ram:ID | ram:GlobalID/@schemeID", CP + "cac:PartyIdentification/cbc:ID/@schemeID"),
    "BT-47": (
        BUY + "ram:SpecifiedLegalOrganization/ram:ID/@schemeID",
        CP + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID",
    ),
    "BT-48": (
        BUY + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
        CP + "cac:PartyTaxScheme/cbc:CompanyID",
    ),
    "BT-49": (BUY + "ram:URIUniversalCommunication/ram:URIID/@schemeID", CP + "cbc:EndpointID/@schemeID"),
    "BG-8": (BUY + ADDR, CP + "cac:PostalAddress"),
    "BG-9": (BUY + "ram:DefinedTradeContact", CP + "cac:Contact"),
    "BG-10": (ST + "ram:PayeeTradeParty", U + "cac:PayeeParty"),
    "BT-59": (ST + "ram:PayeeTradeParty/ram:Name", U + "cac:PayeeParty/cac:PartyName/cbc:Name"),
    "BT-60": (
        ST + "ram:PayeeTradeParty/ram:ID | ram:GlobalID/@schemeID",
        U + "cac:PayeeParty/cac:PartyIdentification/cbc:ID[@schemeID!='SEPA']",
    ),
    "BT-61": (
        ST + "ram:PayeeTradeParty/ram:SpecifiedLegalOrganization/ram:ID",
        U + "cac:PayeeParty/cac:PartyLegalEntity/cbc:CompanyID",
    ),
    "BG-11": (AG + "ram:SellerTaxRepresentativeTradeParty", U + "cac:TaxRepresentativeParty"),
    "BT-62": (
        AG + "ram:SellerTaxRepresentativeTradeParty/ram:Name",
        U + "cac:TaxRepresentativeParty/cac:PartyName/cbc:Name",
    ),
    "BT-63": (
        AG + "ram:SellerTaxRepresentativeTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']",
        U + "cac:TaxRepresentativeParty/cac:PartyTaxScheme/cbc:CompanyID",
    ),
    "BG-12": (
        AG + "ram:SellerTaxRepresentativeTradeParty/" + ADDR,
        U + "cac:TaxRepresentativeParty/cac:PostalAddress",
    ),
    "BG-13": (DL + "ram:ShipToTradeParty + ram:ActualDeliverySupplyChainEvent", U + "cac:Delivery"),
    "BT-70": (
        DL + "ram:ShipToTradeParty/ram:Name",
        U + "cac:Delivery/cac:DeliveryParty/cac:PartyName/cbc:Name",
    ),
    "BT-71": (
        DL + "ram:ShipToTradeParty/ram:ID | ram:GlobalID/@schemeID",
        U + "cac:Delivery/cac:DeliveryLocation/cbc:ID/@schemeID",
    ),
    "BT-72": (
        DL + "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString",
        U + "cac:Delivery/cbc:ActualDeliveryDate",
    ),
    "BG-15": (DL + "ram:ShipToTradeParty/" + ADDR, U + "cac:Delivery/cac:DeliveryLocation/cac:Address"),
    "BG-14": (ST + "ram:BillingSpecifiedPeriod", U + "cac:InvoicePeriod"),
    "BT-73": (
        ST + "ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString",
        U + "cac:InvoicePeriod/cbc:StartDate",
    ),
    "BT-74": (
        ST + "ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString",
        U + "cac:InvoicePeriod/cbc:EndDate",
    ),
    "BG-16": (ST + "ram:SpecifiedTradeSettlementPaymentMeans", U + "cac:PaymentMeans"),
    "BT-81": (
        ST + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode",
        U + "cac:PaymentMeans/cbc:PaymentMeansCode",
    ),
    "BT-82": (
        ST + "ram:SpecifiedTradeSettlementPaymentMeans/ram:Information",
        U + "cac:PaymentMeans/cbc:PaymentMeansCode/@name",
    ),
    "BT-83": (ST + "ram:PaymentReference", U + "cac:PaymentMeans/cbc:PaymentID"),
    "BG-17": (
        ST + "ram:SpecifiedTradeSettlementPaymentMeans (one per account)",
        U + "cac:PaymentMeans/cac:PayeeFinancialAccount",
    ),
    "BT-84": (
        "…/ram:PayeePartyCreditorFinancialAccount/ram:IBANID | ram:ProprietaryID",
        U + "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID",
    ),
    "BT-85": (
        "…/ram:PayeePartyCreditorFinancialAccount/ram:AccountName",
        U + "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:Name",
    ),
    "BT-86": (
        "…/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID",
        U + "cac:PaymentMeans/cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID",
    ),
    "BG-18": ("…/ram:ApplicableTradeSettlementFinancialCard", U + "cac:PaymentMeans/cac:CardAccount"),
    "BT-87": (
        "…/ram:ApplicableTradeSettlementFinancialCard/ram:ID",
        U + "cac:PaymentMeans/cac:CardAccount/cbc:PrimaryAccountNumberID",
    ),
    "BT-88": (
        "…/ram:ApplicableTradeSettlementFinancialCard/ram:CardholderName",
        U + "cac:PaymentMeans/cac:CardAccount/cbc:HolderName",
    ),
    "BG-19": ("(spread, see BT-89..BT-91)", U + "cac:PaymentMeans/cac:PaymentMandate"),
    "BT-89": (
        ST + "ram:SpecifiedTradePaymentTerms/ram:DirectDebitMandateID",
        U + "cac:PaymentMeans/cac:PaymentMandate/cbc:ID",
    ),
    "BT-90": (
        ST + "ram:CreditorReferenceID",
        "…/cac:Party/cac:PartyIdentification/cbc:ID[@schemeID='SEPA'] (payee if any, else seller)",
    ),
    "BT-91": (
        "…/ram:PayerPartyDebtorFinancialAccount/ram:IBANID",
        U + "cac:PaymentMeans/cac:PaymentMandate/cac:PayerFinancialAccount/cbc:ID",
    ),
    "BG-20": (
        ST + "ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='false']",
        U + "cac:AllowanceCharge[cbc:ChargeIndicator='false']",
    ),
    "BG-21": (
        ST + "ram:SpecifiedTradeAllowanceCharge[ram:ChargeIndicator/udt:Indicator='true']",
        U + "cac:AllowanceCharge[cbc:ChargeIndicator='true']",
    ),
    "BT-92": ("…/ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount", "…/cac:AllowanceCharge/cbc:Amount"),
    "BT-93": ("…/ram:SpecifiedTradeAllowanceCharge/ram:BasisAmount", "…/cac:AllowanceCharge/cbc:BaseAmount"),
    "BT-94": (
        "…/ram:SpecifiedTradeAllowanceCharge/ram:CalculationPercent",
        "…/cac:AllowanceCharge/cbc:MultiplierFactorNumeric",
    ),
    "BT-95": (
        "…/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:CategoryCode",
        "…/cac:AllowanceCharge/cac:TaxCategory/cbc:ID",
    ),
    "BT-96": (
        "…/ram:SpecifiedTradeAllowanceCharge/ram:CategoryTradeTax/ram:RateApplicablePercent",
        "…/cac:AllowanceCharge/cac:TaxCategory/cbc:Percent",
    ),
    "BT-97": (
        "…/ram:SpecifiedTradeAllowanceCharge/ram:Reason",
        "…/cac:AllowanceCharge/cbc:AllowanceChargeReason",
    ),
    "BT-98": (
        "…/ram:SpecifiedTradeAllowanceCharge/ram:ReasonCode",
        "…/cac:AllowanceCharge/cbc:AllowanceChargeReasonCode",
    ),
    "BG-22": (ST + "ram:SpecifiedTradeSettlementHeaderMonetarySummation", U + "cac:LegalMonetaryTotal"),
    "BT-106": ("…/ram:LineTotalAmount", U + "cac:LegalMonetaryTotal/cbc:LineExtensionAmount"),
    "BT-107": ("…/ram:AllowanceTotalAmount", U + "cac:LegalMonetaryTotal/cbc:AllowanceTotalAmount"),
    "BT-108": ("…/ram:ChargeTotalAmount", U + "cac:LegalMonetaryTotal/cbc:ChargeTotalAmount"),
    "BT-109": ("…/ram:TaxBasisTotalAmount", U + "cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount"),
    "BT-110": ("…/ram:TaxTotalAmount[@currencyID=BT-5]", U + "cac:TaxTotal/cbc:TaxAmount[@currencyID=BT-5]"),
    "BT-111": ("…/ram:TaxTotalAmount[@currencyID=BT-6]", U + "cac:TaxTotal/cbc:TaxAmount[@currencyID=BT-6]"),
    "BT-112": ("…/ram:GrandTotalAmount", U + "cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount"),
    "BT-113": ("…/ram:TotalPrepaidAmount", U + "cac:LegalMonetaryTotal/cbc:PrepaidAmount"),
    "BT-114": ("…/ram:RoundingAmount", U + "cac:LegalMonetaryTotal/cbc:PayableRoundingAmount"),
    "BT-115": ("…/ram:DuePayableAmount", U + "cac:LegalMonetaryTotal/cbc:PayableAmount"),
    "BG-23": (ST + "ram:ApplicableTradeTax", U + "cac:TaxTotal/cac:TaxSubtotal"),
    "BT-116": (
        ST + "ram:ApplicableTradeTax/ram:BasisAmount",
        U + "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount",
    ),
    "BT-117": (
        ST + "ram:ApplicableTradeTax/ram:CalculatedAmount",
        U + "cac:TaxTotal/cac:TaxSubtotal/cbc:TaxAmount",
    ),
    "BT-118": (
        ST + "ram:ApplicableTradeTax/ram:CategoryCode",
        U + "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID",
    ),
    "BT-119": (
        ST + "ram:ApplicableTradeTax/ram:RateApplicablePercent",
        U + "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent",
    ),
    "BT-120": (
        ST + "ram:ApplicableTradeTax/ram:ExemptionReason",
        U + "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReason",
    ),
    "BT-121": (
        ST + "ram:ApplicableTradeTax/ram:ExemptionReasonCode",
        U + "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:TaxExemptionReasonCode",
    ),
    "BG-24": (
        AG + "ram:AdditionalReferencedDocument[ram:TypeCode='916']",
        U + "cac:AdditionalDocumentReference[not(cbc:DocumentTypeCode='130')]",
    ),
    "BT-122": (
        "…/ram:AdditionalReferencedDocument/ram:IssuerAssignedID",
        "…/cac:AdditionalDocumentReference/cbc:ID",
    ),
    "BT-123": (
        "…/ram:AdditionalReferencedDocument/ram:Name",
        "…/cac:AdditionalDocumentReference/cbc:DocumentDescription",
    ),
    "BT-124": (
        "…/ram:AdditionalReferencedDocument/ram:URIID",
        "…/cac:Attachment/cac:ExternalReference/cbc:URI",
    ),
    "BT-125": (
        "…/ram:AdditionalReferencedDocument/ram:AttachmentBinaryObject (@mimeCode, @filename)",
        "…/cac:Attachment/cbc:EmbeddedDocumentBinaryObject (@mimeCode, @filename)",
    ),
    "BT-125-1": ("…/ram:AttachmentBinaryObject/@mimeCode", "…/cbc:EmbeddedDocumentBinaryObject/@mimeCode"),
    "BT-125-2": ("…/ram:AttachmentBinaryObject/@filename", "…/cbc:EmbeddedDocumentBinaryObject/@filename"),
    "BG-25": (
        H + "ram:IncludedSupplyChainTradeLineItem",
        U + "cac:InvoiceLine | /CreditNote/cac:CreditNoteLine",
    ),
    "BT-126": (LI + "ram:AssociatedDocumentLineDocument/ram:LineID", UL + "cbc:ID"),
    "BT-127": (LI + "ram:AssociatedDocumentLineDocument/ram:IncludedNote/ram:Content", UL + "cbc:Note"),
    "BT-128": (
        LI
        + "ram:SpecifiedLineTradeSettlement/ram:AdditionalReferencedDocument[ram:TypeCode='130']/ram:IssuerAssignedID",
        UL + "cac:DocumentReference[cbc:DocumentTypeCode='130']/cbc:ID",
    ),
    "BT-129": (
        LI + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
        UL + "cbc:InvoicedQuantity | cbc:CreditedQuantity",
    ),
    "BT-130": (
        LI + "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode",
        UL + "cbc:InvoicedQuantity/@unitCode",
    ),
    "BT-131": (
        LI
        + "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
        UL + "cbc:LineExtensionAmount",
    ),
    "BT-132": (
        LI + "ram:SpecifiedLineTradeAgreement/ram:BuyerOrderReferencedDocument/ram:LineID",
        UL + "cac:OrderLineReference/cbc:LineID",
    ),
    "BT-133": (
        LI + "ram:SpecifiedLineTradeSettlement/ram:ReceivableSpecifiedTradeAccountingAccount/ram:ID",
        UL + "cbc:AccountingCost",
    ),
    "BG-26": (LI + "ram:SpecifiedLineTradeSettlement/ram:BillingSpecifiedPeriod", UL + "cac:InvoicePeriod"),
    "BG-27": (
        LI + "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge[…='false']",
        UL + "cac:AllowanceCharge[cbc:ChargeIndicator='false']",
    ),
    "BG-28": (
        LI + "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeAllowanceCharge[…='true']",
        UL + "cac:AllowanceCharge[cbc:ChargeIndicator='true']",
    ),
    "BG-29": (LI + "ram:SpecifiedLineTradeAgreement", UL + "cac:Price"),
    "BT-146": (
        LI + "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
        UL + "cac:Price/cbc:PriceAmount",
    ),
    "BT-147": (
        LI
        + "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount",
        UL + "cac:Price/cac:AllowanceCharge/cbc:Amount",
    ),
    "BT-148": (
        LI + "ram:SpecifiedLineTradeAgreement/ram:GrossPriceProductTradePrice/ram:ChargeAmount",
        UL + "cac:Price/cac:AllowanceCharge/cbc:BaseAmount",
    ),
    "BT-149": (
        LI + "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity",
        UL + "cac:Price/cbc:BaseQuantity",
    ),
    "BT-150": (
        LI + "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:BasisQuantity/@unitCode",
        UL + "cac:Price/cbc:BaseQuantity/@unitCode",
    ),
    "BT-151": (
        LI + "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode",
        UL + "cac:Item/cac:ClassifiedTaxCategory/cbc:ID",
    ),
    "BT-152": (
        LI + "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent",
        UL + "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent",
    ),
    "BG-31": (LI + "ram:SpecifiedTradeProduct", UL + "cac:Item"),
    "BT-153": (LI + "ram:SpecifiedTradeProduct/ram:Name", UL + "cac:Item/cbc:Name"),
    "BT-154": (LI + "ram:SpecifiedTradeProduct/ram:Description", UL + "cac:Item/cbc:Description"),
    "BT-155": (
        LI + "ram:SpecifiedTradeProduct/ram:SellerAssignedID",
        UL + "cac:Item/cac:SellersItemIdentification/cbc:ID",
    ),
    "BT-156": (
        LI + "ram:SpecifiedTradeProduct/ram:BuyerAssignedID",
        UL + "cac:Item/cac:BuyersItemIdentification/cbc:ID",
    ),
    "BT-157": (
        LI + "ram:SpecifiedTradeProduct/ram:GlobalID/@schemeID",
        UL + "cac:Item/cac:StandardItemIdentification/cbc:ID/@schemeID",
    ),
    "BT-158": (
        LI + "ram:SpecifiedTradeProduct/ram:DesignatedProductClassification/ram:ClassCode",
        UL + "cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode",
    ),
    "BT-158-1": ("…/ram:ClassCode/@listID", "…/cbc:ItemClassificationCode/@listID"),
    "BT-158-2": ("…/ram:ClassCode/@listVersionID", "…/cbc:ItemClassificationCode/@listVersionID"),
    "BT-159": (
        LI + "ram:SpecifiedTradeProduct/ram:OriginTradeCountry/ram:ID",
        UL + "cac:Item/cac:OriginCountry/cbc:IdentificationCode",
    ),
    "BG-32": (
        LI + "ram:SpecifiedTradeProduct/ram:ApplicableProductCharacteristic",
        UL + "cac:Item/cac:AdditionalItemProperty",
    ),
    "BT-160": (
        "…/ram:ApplicableProductCharacteristic/ram:Description",
        "…/cac:AdditionalItemProperty/cbc:Name",
    ),
    "BT-161": ("…/ram:ApplicableProductCharacteristic/ram:Value", "…/cac:AdditionalItemProperty/cbc:Value"),
}

# Terms whose model field is shared with another group (same dataclass) and line-level twins.
SHARED_TWINS = {
    "BG-26": ("BT-134", "BT-135"),
    "BG-27": ("BT-136", "BT-137", "BT-138", "BT-139", "BT-140"),
    "BG-28": ("BT-141", "BT-142", "BT-143", "BT-144", "BT-145"),
}


def _walk(cls: type, prefix: str, rows: dict[str, str]) -> None:
    hints = typing.get_type_hints(cls, vars(model))
    for field in dataclasses.fields(cls):
        term = field.metadata.get("bt", "")
        path = f"{prefix}.{field.name}"
        if term.startswith(("BT-", "BG-")):
            rows.setdefault(term, path)
        for candidate in typing.get_args(hints[field.name]) or (hints[field.name],):
            inner = typing.get_args(candidate)
            for target in (candidate, *inner):
                if (
                    isinstance(target, type)
                    and dataclasses.is_dataclass(target)
                    and target is not model.Identifier
                ):
                    _walk(target, path + ("[]" if inner else ""), rows)


def _sort_key(term: str) -> tuple[int, int, str]:
    kind, _, rest = term.partition("-")
    number = int(rest.split("-")[0])
    return (number if kind == "BT" else -1, number, term)


def main() -> int:
    rows: dict[str, str] = {}
    _walk(model.Invoice, "Invoice", rows)
    missing = sorted(set(rows) - set(MAPPING))
    if missing:
        print("no mapping row for:", ", ".join(missing))
        return 1
    lines = [
        "# EN 16931 business terms -> model -> CII -> UBL",
        "",
        "GENERATED by `docs/scripts/generate_bt_mapping.py` (run: `PYTHONPATH=src .venv/bin/python "
        "docs/scripts/generate_bt_mapping.py`); do not edit by hand.",
        "",
        "The model column is the attribute path in `facturier.domain.en16931.model` (read from the",
        "`metadata['bt']` of each dataclass field). CII paths are UN/CEFACT CII D16B as written by",
        "`facturier.domain.formats.cii`; UBL paths are UBL 2.1 as written by `facturier.domain.formats.ubl`",
        "(`/Invoice` stands for `/CreditNote` too, `…/` repeats the row above's group path).",
        "Line-level allowance/charge terms BT-136..BT-145 and line period BT-134/BT-135 use the same",
        "dataclasses as BG-20/BG-21 and BG-14 (`AllowanceCharge`, `Period`).",
        "",
        "| Term | Model | CII XPath | UBL XPath |",
        "|---|---|---|---|",
    ]
    for term in sorted(MAPPING, key=_sort_key):
        cii, ubl = MAPPING[term]
        twins = f" ({', '.join(SHARED_TWINS[term])})" if term in SHARED_TWINS else ""
        lines.append(f"| {term}{twins} | `{rows.get(term, '—')}` | `{cii}` | `{ubl}` |")
    TARGET.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {TARGET} ({len(MAPPING)} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

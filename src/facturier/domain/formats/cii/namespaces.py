"""UN/CEFACT Cross Industry Invoice (D16B, as used by EN 16931 and Factur-X) namespaces."""

from __future__ import annotations

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"

NAMESPACES: dict[str, str] = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
ROOT_TAG = f"{{{RSM}}}CrossIndustryInvoice"

VAT_SCHEME = "VA"
"""schemeID of SpecifiedTaxRegistration/ID for a VAT identifier (BT-31, BT-48, BT-63)."""
FISCAL_SCHEME = "FC"
"""schemeID of SpecifiedTaxRegistration/ID for a local tax registration (BT-32)."""

DOC_TYPE_TENDER = "50"
DOC_TYPE_INVOICED_OBJECT = "130"
DOC_TYPE_SUPPORTING = "916"

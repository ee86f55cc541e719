"""Code lists used by the EN 16931 model: document types, VAT categories, payment means, profiles.

The model stores codes as plain strings (a received invoice may carry any code); these
enums name the values we emit and check, so that callers never type magic strings.
"""

from __future__ import annotations

from enum import StrEnum


class InvoiceTypeCode(StrEnum):
    """BT-3, UNTDID 1001 subset allowed by EN 16931 (the ones used in France first)."""

    PARTIAL_INVOICE = "326"
    COMMERCIAL_INVOICE = "380"
    CREDIT_NOTE = "381"
    DEBIT_NOTE = "383"
    CORRECTED_INVOICE = "384"
    PREPAYMENT_INVOICE = "386"
    SELF_BILLED_INVOICE = "389"
    FACTORED_INVOICE = "393"
    FACTORED_CREDIT_NOTE = "396"
    SELF_BILLED_CREDIT_NOTE = "261"
    CONSOLIDATED_CREDIT_NOTE = "262"
    SELF_BILLED_CORRECTED_INVOICE = "471"
    SELF_BILLED_PREPAYMENT_INVOICE = "500"
    SELF_BILLED_FACTORED_INVOICE = "501"
    SELF_BILLED_FACTORED_CREDIT_NOTE = "502"
    PREPAYMENT_CREDIT_NOTE = "503"
    ACCOUNTING_INFORMATION_INVOICE = "751"


CREDIT_NOTE_TYPE_CODES: frozenset[str] = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "502", "503", "532"}
)
"""Type codes that UBL carries in a ``CreditNote`` document rather than an ``Invoice``."""


class VatCategory(StrEnum):
    """BT-95 / BT-102 / BT-118 / BT-151, UNTDID 5305 subset of EN 16931."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT_OUTSIDE_EU = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS_IGIC = "L"
    CEUTA_MELILLA_IPSI = "M"


class PaymentMeansCode(StrEnum):
    """BT-81, UNTDID 4461 values commonly used in EN 16931 invoices."""

    INSTRUMENT_NOT_DEFINED = "1"
    IN_CASH = "10"
    CHEQUE = "20"
    CREDIT_TRANSFER = "30"
    DEBIT_TRANSFER = "31"
    PAYMENT_TO_BANK_ACCOUNT = "42"
    BANK_CARD = "48"
    DIRECT_DEBIT = "49"
    STANDING_AGREEMENT = "57"
    SEPA_CREDIT_TRANSFER = "58"
    SEPA_DIRECT_DEBIT = "59"
    ONLINE_PAYMENT_SERVICE = "68"
    CLEARING_BETWEEN_PARTNERS = "97"
    MUTUALLY_DEFINED = "ZZZ"


class TaxPointDateCode(StrEnum):
    """BT-8, UNTDID 2005 subset: which date the VAT becomes due on (French 'TVA sur les débits')."""

    INVOICE_DATE = "3"
    DELIVERY_DATE = "35"
    PAID_TO_DATE = "432"


class Profile(StrEnum):
    """Short names of the serialization profiles accepted by ``InvoiceFormat.serialize``."""

    MINIMUM = "MINIMUM"
    BASIC_WL = "BASICWL"
    BASIC = "BASIC"
    EN16931 = "EN16931"
    EXTENDED = "EXTENDED"
    EXTENDED_CTC_FR = "EXTENDED-CTC-FR"
    PEPPOL_BIS_3 = "PEPPOL"


GUIDELINE_IDS: dict[Profile, str] = {
    Profile.MINIMUM: "urn:factur-x.eu:1p0:minimum",
    Profile.BASIC_WL: "urn:factur-x.eu:1p0:basicwl",
    Profile.BASIC: "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
    Profile.EN16931: "urn:cen.eu:en16931:2017",
    Profile.EXTENDED: "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
    # XP Z12-012 (French reform) value; not present in the conformance snapshot (../shared/conformance/fr-ctc).
    Profile.EXTENDED_CTC_FR: "urn.cpro.gouv.fr:1p0:extended-ctc-fr",
    Profile.PEPPOL_BIS_3: "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0",
}
"""BT-24 specification identifier (CII GuidelineSpecifiedDocumentContextParameter, UBL CustomizationID)."""

PEPPOL_PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
"""BT-23 business process of PEPPOL BIS Billing 3.0 (UBL ProfileID)."""

PEPPOL_EAS_CODES: frozenset[str] = frozenset(
    "0002 0007 0009 0060 0088 0096 0097 0106 0130 0135 0142 0151 0183 0184 0188 0190 0191 0192 0195 0196 "
    "0198 0199 0200 0201 0204 0208 0209 0210 0211 0216 0218 0221 0225 0230 0235 0240 0242 0244 0245 0246 "
    "0248 9910 9913 9914 9915 9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 "
    "9934 9935 9936 9937 9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 "
    "9957 9959".split()
)
"""Electronic address schemes a PEPPOL participant can have (PEPPOL BIS 3.0.21 EAS list, rule CL008).

An address under another scheme (an email, ``EM``) is not reachable on the PEPPOL network.
"""

XRECHNUNG_3_ID = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"


def profile_for_guideline(guideline_id: str) -> Profile | None:
    """The profile a BT-24 value declares, or None for a specification we do not know."""
    for profile, urn in GUIDELINE_IDS.items():
        if urn == guideline_id:
            return profile
    return None

"""Wording printed on documents, in the document's language (French or English).

Kept here rather than in the gettext catalogues because a document's language is the
customer's, not the user's: a French user issues English invoices, and the legal mentions
must read the same on every one of them.
"""

from __future__ import annotations

from babel import Locale

LANGUAGES = ("fr", "en")

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "invoice": "Facture", "credit_note": "Avoir", "deposit": "Facture d'acompte",
        "corrective": "Facture rectificative", "quote": "Devis", "order": "Bon de commande",
        "draft": "BROUILLON", "number": "N°", "issue_date": "Date d'émission", "due_date": "Échéance",
        "delivery_date": "Date de livraison", "valid_until": "Valable jusqu'au",
        "operation": "Catégorie de l'opération", "buyer_reference": "Référence acheteur",
        "purchase_order": "Bon de commande", "seller": "Émetteur", "buyer": "Client",
        "delivery": "Adresse de livraison", "credited_invoice": "Avoir sur la facture",
        "corrected_invoice": "Rectifie la facture", "of": "du",
        "position": "#", "description": "Désignation", "quantity": "Qté", "unit": "Unité",
        "unit_price": "Prix unit. HT", "discount": "Remise", "vat_rate": "TVA", "net": "Total HT",
        "allowance": "Remise", "charge": "Frais", "vat_breakdown": "Détail de la TVA",
        "vat_base": "Base HT", "vat_amount": "Montant TVA", "line_total": "Total des lignes HT",
        "tax_exclusive": "Total HT", "tax_total": "Total TVA", "tax_inclusive": "Total TTC",
        "prepaid": "Acomptes déduits", "deposit_deducted": "Acompte déduit", "payable": "Net à payer",
        "withheld": "Retenue de garantie",
        "credit_payable": "Montant de l'avoir", "payment": "Règlement", "payment_terms": "Conditions",
        "iban": "IBAN", "bic": "BIC", "qr_hint": "Scannez pour payer par virement SEPA",
        "pay_online": "Payer en ligne :",
        "reference": "Référence à rappeler", "note": "Note :", "page": "Page",
        "legal_form_capital": "au capital de", "siren": "SIREN", "siret": "SIRET", "vat_number": "N° TVA",
        "rcs": "RCS", "customer_code": "Code client",
        "goods": "Livraison de biens", "services": "Prestation de services", "mixed": "Mixte (biens et services)",
        "late_penalty": "Pénalités de retard : {rate}, exigibles le lendemain de la date d'échéance.",
        "recovery_fee": "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
        "(art. L441-10 et D441-5 du Code de commerce).",
        "vat_on_debits": "Option pour le paiement de la TVA d'après les débits.",
        "no_vat_rate": "—", "quote_acceptance": "Bon pour accord (date et signature) :",
        "total_ttc_currency": "Montants en {currency}",
        "vat_accounting": "Total TVA en {currency} (taux de change {rate})",
    },
    "en": {
        "invoice": "Invoice", "credit_note": "Credit note", "deposit": "Deposit invoice",
        "corrective": "Corrective invoice", "quote": "Quote", "order": "Order confirmation",
        "draft": "DRAFT", "number": "No.", "issue_date": "Issue date", "due_date": "Due date",
        "delivery_date": "Delivery date", "valid_until": "Valid until",
        "operation": "Operation category", "buyer_reference": "Buyer reference",
        "purchase_order": "Purchase order", "seller": "From", "buyer": "Bill to",
        "delivery": "Deliver to", "credited_invoice": "Credit note for invoice",
        "corrected_invoice": "Corrects invoice", "of": "of",
        "position": "#", "description": "Description", "quantity": "Qty", "unit": "Unit",
        "unit_price": "Unit price", "discount": "Discount", "vat_rate": "VAT", "net": "Net amount",
        "allowance": "Allowance", "charge": "Charge", "vat_breakdown": "VAT breakdown",
        "vat_base": "Taxable base", "vat_amount": "VAT amount", "line_total": "Sum of lines",
        "tax_exclusive": "Total excl. VAT", "tax_total": "Total VAT", "tax_inclusive": "Total incl. VAT",
        "prepaid": "Deposits deducted", "deposit_deducted": "Deposit deducted", "payable": "Amount due",
        "withheld": "Retention guarantee withheld",
        "credit_payable": "Credit note amount", "payment": "Payment", "payment_terms": "Terms",
        "iban": "IBAN", "bic": "BIC", "qr_hint": "Scan to pay by SEPA credit transfer",
        "pay_online": "Pay online:",
        "reference": "Payment reference", "note": "Note:", "page": "Page",
        "legal_form_capital": "with a share capital of", "siren": "SIREN", "siret": "SIRET",
        "vat_number": "VAT no.", "rcs": "Trade register", "customer_code": "Customer code",
        "goods": "Supply of goods", "services": "Provision of services", "mixed": "Mixed (goods and services)",
        "late_penalty": "Late payment penalties: {rate}, due from the day after the due date.",
        "recovery_fee": "Fixed compensation for recovery costs in case of late payment: EUR 40 "
        "(French Commercial Code, art. L441-10 and D441-5).",
        "vat_on_debits": "VAT is paid on debits (option exercised by the seller).",
        "no_vat_rate": "—", "quote_acceptance": "Accepted (date and signature):",
        "total_ttc_currency": "Amounts in {currency}",
        "vat_accounting": "Total VAT in {currency} (exchange rate {rate})",
    },
}  # fmt: skip

UNITS: dict[str, dict[str, str]] = {
    "fr": {
        "C62": "u.", "H87": "pièce", "HUR": "heure", "DAY": "jour", "MON": "mois", "ANN": "an",
        "KGM": "kg", "MTR": "m", "MTK": "m²", "LTR": "l", "KWH": "kWh", "SET": "lot", "XPK": "colis",
    },
    "en": {
        "C62": "unit", "H87": "piece", "HUR": "hour", "DAY": "day", "MON": "month", "ANN": "year",
        "KGM": "kg", "MTR": "m", "MTK": "m²", "LTR": "l", "KWH": "kWh", "SET": "set", "XPK": "package",
    },
}  # fmt: skip

# VAT categories (UNTDID 5305, BT-118) by name, for the staff UI and the printed VAT breakdown.
VAT_CATEGORIES: dict[str, dict[str, str]] = {
    "fr": {
        "S": "TVA", "Z": "Taux zéro", "E": "Exonéré", "AE": "Autoliquidation",
        "K": "Livraison intracommunautaire", "G": "Export hors UE", "O": "Hors champ de la TVA",
        "L": "IGIC (Canaries)", "M": "IPSI (Ceuta et Melilla)",
    },
    "en": {
        "S": "VAT", "Z": "Zero rated", "E": "Exempt", "AE": "Reverse charge",
        "K": "Intra-community supply", "G": "Export outside the EU", "O": "Outside the scope of VAT",
        "L": "IGIC (Canary Islands)", "M": "IPSI (Ceuta and Melilla)",
    },
}  # fmt: skip


# Entity defaults are written in French; English documents get the equivalent wording.
ENGLISH_DEFAULTS = {
    "3 fois le taux d'intérêt légal": "three times the French statutory interest rate",
    "Pas d'escompte pour paiement anticipé": "No discount for early payment",
}


def labels_for(language: str) -> dict[str, str]:
    """The label set of a document language; anything but English prints in French."""
    return LABELS["en" if language[:2].lower() == "en" else "fr"]


def unit_label(code: str, language: str) -> str:
    return UNITS["en" if language[:2].lower() == "en" else "fr"].get(code, code)


def entity_wording(text: str, language: str) -> str:
    """An entity's free-text mention, translated when it is still the French default."""
    if language[:2].lower() == "en":
        return ENGLISH_DEFAULTS.get(text.strip(), text)
    return text


def vat_category_label(code: str, language: str) -> str:
    """`AE` -> "Autoliquidation" / "Reverse charge"; an unknown category is shown as it is."""
    return VAT_CATEGORIES["en" if language[:2].lower() == "en" else "fr"].get(code, code)


_COUNTRY_LOCALES = {"fr": Locale.parse("fr_FR"), "en": Locale.parse("en_GB")}


def country_label(code: str, language: str) -> str:
    """`GB` -> "Royaume-Uni" / "United Kingdom" (Babel's CLDR names); an unknown code is printed as it is."""
    if not code:
        return ""
    territories = _COUNTRY_LOCALES["en" if language[:2].lower() == "en" else "fr"].territories
    return str(territories.get(code.upper(), code))

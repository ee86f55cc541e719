"""The legal wording of an invoice: VAT exemption reasons, the company identity, payment mentions.

Sources: CGI annexe II art. 242 nonies A (invoice mentions, "Autoliquidation"), Code de
commerce L441-9 and L441-10 (late penalties, the 40 EUR recovery compensation between
professionals, early-payment discount), R123-237 (company identity on business documents).
"""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency

from facturier.documents.formatting import Formatter, address_lines
from facturier.documents.labels import entity_wording, labels_for
from facturier.domain.tax.fr import (
    EXPORT_OF_GOODS,
    EXPORT_OF_SERVICES,
    INTRA_COMMUNITY_SUPPLY,
    OUTSIDE_SCOPE,
    REVERSE_CHARGE_SERVICES,
    VatTreatment,
    treatment_for_regime,
)
from facturier.invoicing.models import Document, Kind, OperationCategory


def exemption_treatment(category: str, regime: str, reason: str) -> VatTreatment | None:
    """The legal reason printed under a VAT category that carries no French VAT."""
    if category == "AE":
        return REVERSE_CHARGE_SERVICES
    if category == "K":
        return INTRA_COMMUNITY_SUPPLY
    if category == "G":
        return EXPORT_OF_GOODS
    if category == "O":
        return EXPORT_OF_SERVICES if regime == "export" else OUTSIDE_SCOPE
    if category == "E":
        return treatment_for_regime(
            "exempt", goods=False, mention_fr=reason or None, mention_en=reason or None
        )
    return None


def exemption_mention(category: str, regime: str, reason: str, language: str) -> str:
    treatment = exemption_treatment(category, regime, reason)
    if treatment is None:
        return ""
    if language == "fr":
        return treatment.mention_fr
    if category == "AE":  # CGI annexe II art. 242 nonies A 13°: the French word is the legal mention
        return f"{treatment.mention_en} (Autoliquidation)"
    return treatment.mention_en


def legal_footer(seller: dict[str, str], labels: dict[str, str], fmt: Formatter) -> str:
    """Company identity required on every invoice (Code de commerce R123-237, CGI 242 nonies A)."""
    parts = [seller["name"]]
    if seller["legal_form"]:
        form = seller["legal_form"]
        if seller["share_capital"]:
            capital = format_currency(Decimal(seller["share_capital"]), "EUR", locale=fmt.locale)
            form += f" {labels['legal_form_capital']} {capital}"
        parts.append(form)
    address = address_lines(
        seller["address_line1"],
        seller["address_line2"],
        seller["postcode"],
        seller["city"],
        seller["country"],
        "FR",
    )
    parts.append(", ".join(address))
    if seller["rcs"]:
        parts.append(seller["rcs"] if seller["rcs"].upper().startswith("RCS") else f"RCS {seller['rcs']}")
    if seller["siren"]:
        parts.append(f"{labels['siren']} {seller['siren']}")
    if seller["vat_number"]:
        parts.append(f"{labels['vat_number']} {seller['vat_number']}")
    return " — ".join(part for part in parts if part)


def payment_mentions(
    document: Document, seller: dict[str, str], buyer: dict[str, str], language: str
) -> list[str]:
    """Mentions the Code de commerce (L441-9, L441-10) and the CGI require on an invoice."""
    if document.kind != Kind.INVOICE:
        return []
    labels = labels_for(language)
    mentions = []
    if document.vat_on_debits and document.operation_category != OperationCategory.GOODS:
        # the option only concerns services: VAT on goods is always due on delivery
        mentions.append(labels["vat_on_debits"])
    if not document.is_credit_note:
        rate = entity_wording(seller["late_penalty_rate"] or "3 fois le taux d'intérêt légal", language)
        mentions.append(labels["late_penalty"].format(rate=rate))
        if buyer["kind"] != "consumer":
            mentions.append(labels["recovery_fee"])
        if seller["early_payment_discount"]:
            mentions.append(entity_wording(seller["early_payment_discount"], language))
    return mentions

"""Words shown for statuses and history events, agreeing in gender with the document in French:
"Devis émis", "Facture émise", "Avoir émis", "Commande confirmée"."""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from facturier.invoicing.models import Kind, Status, TypeCode

S = Status


# pgettext contexts (literal, so that makemessages finds them): a quote ("devis") and a credit note
# ("avoir") are masculine, an order ("commande") and an invoice ("facture") feminine.
_MASCULINE: dict[str, Promise] = {
    S.DRAFT: pgettext_lazy("masculine document", "Draft"),
    S.PENDING_APPROVAL: pgettext_lazy("masculine document", "Pending approval"),
    S.APPROVED: pgettext_lazy("masculine document", "Approved"),
    S.ISSUED: pgettext_lazy("masculine document", "Issued"),
    S.SENT: pgettext_lazy("masculine document", "Sent"),
    S.DISPUTED: pgettext_lazy("masculine document", "Disputed"),
    S.CANCELLED: pgettext_lazy("masculine document", "Cancelled by credit note"),
    S.ACCEPTED: pgettext_lazy("masculine document", "Accepted"),
    S.DECLINED: pgettext_lazy("masculine document", "Declined"),
    S.CONFIRMED: pgettext_lazy("masculine document", "Confirmed"),
    S.CONVERTED: pgettext_lazy("masculine document", "Converted"),
    # settlement (payments.selectors.Settlement), derived from allocations, worded like a status
    "unpaid": pgettext_lazy("masculine document", "Unpaid"),
    "partially_paid": pgettext_lazy("masculine document", "Partially paid"),
    "paid": pgettext_lazy("masculine document", "Paid"),
    "overpaid": pgettext_lazy("masculine document", "Overpaid"),
}
_FEMININE: dict[str, Promise] = {
    S.DRAFT: pgettext_lazy("feminine document", "Draft"),
    S.PENDING_APPROVAL: pgettext_lazy("feminine document", "Pending approval"),
    S.APPROVED: pgettext_lazy("feminine document", "Approved"),
    S.ISSUED: pgettext_lazy("feminine document", "Issued"),
    S.SENT: pgettext_lazy("feminine document", "Sent"),
    S.DISPUTED: pgettext_lazy("feminine document", "Disputed"),
    S.CANCELLED: pgettext_lazy("feminine document", "Cancelled by credit note"),
    S.ACCEPTED: pgettext_lazy("feminine document", "Accepted"),
    S.DECLINED: pgettext_lazy("feminine document", "Declined"),
    S.CONFIRMED: pgettext_lazy("feminine document", "Confirmed"),
    S.CONVERTED: pgettext_lazy("feminine document", "Converted"),
    # settlement (payments.selectors.Settlement), derived from allocations, worded like a status
    "unpaid": pgettext_lazy("feminine document", "Unpaid"),
    "partially_paid": pgettext_lazy("feminine document", "Partially paid"),
    "paid": pgettext_lazy("feminine document", "Paid"),
    "overpaid": pgettext_lazy("feminine document", "Overpaid"),
}


def is_masculine(kind: str, type_code: str = "") -> bool:
    return kind == Kind.QUOTE or type_code == TypeCode.CREDIT_NOTE


def status_text(status: str, kind: str, type_code: str = "") -> str:
    labels = _MASCULINE if is_masculine(kind, type_code) else _FEMININE
    label = labels.get(status)
    if label is not None:
        return str(label)
    try:
        return str(Status(status).label)
    except ValueError:
        return status


# UNTDID 1001 document types (BT-3) the product issues or may receive, by name: nobody reads "381".
TYPE_CODE_LABELS: dict[str, Promise] = {
    TypeCode.COMMERCIAL: TypeCode.COMMERCIAL.label,
    TypeCode.CREDIT_NOTE: TypeCode.CREDIT_NOTE.label,
    TypeCode.CORRECTIVE: TypeCode.CORRECTIVE.label,
    TypeCode.DEPOSIT: TypeCode.DEPOSIT.label,
    "326": pgettext_lazy("document type", "Partial invoice"),
    "383": pgettext_lazy("document type", "Debit note"),
    "389": pgettext_lazy("document type", "Self-billed invoice"),
    "261": pgettext_lazy("document type", "Self-billed credit note"),
    "393": pgettext_lazy("document type", "Factored invoice"),
    "396": pgettext_lazy("document type", "Factored credit note"),
}

SEVERITY_LABELS: dict[str, Promise] = {
    "fatal": pgettext_lazy("finding severity", "Fatal error"),
    "error": pgettext_lazy("finding severity", "Error"),
    "warning": pgettext_lazy("finding severity", "Warning"),
    "info": pgettext_lazy("finding severity", "Information"),
}


def type_code_text(code: str) -> str:
    """`381` -> "Avoir"; a code we do not know is shown as it is (a received invoice may carry any)."""
    label = TYPE_CODE_LABELS.get(code)
    return str(label) if label is not None else code


def document_noun(kind: str, type_code: str = "") -> str:
    """What a document is called on its pages: Devis, Commande, Facture, Avoir, Facture d'acompte..."""
    if kind == Kind.INVOICE:
        return type_code_text(type_code or TypeCode.COMMERCIAL)
    try:
        return str(Kind(kind).label)
    except ValueError:
        return kind


def severity_text(severity: str) -> str:
    label = SEVERITY_LABELS.get(severity)
    return str(label) if label is not None else severity


# ISO 6523 identifier schemes of electronic addresses (BT-34/BT-49) and registrations (BT-30/BT-47).
SCHEME_LABELS: dict[str, str] = {
    "0002": "SIREN", "0009": "SIRET", "0225": "SIREN", "0088": "GLN", "0060": "DUNS", "0208": "BCE/KBO",
}  # fmt: skip


def scheme_text(code: str) -> str:
    """`0225` -> "SIREN": the identifier's name; an unknown scheme keeps its number."""
    return SCHEME_LABELS.get(code, code)


_CREATED = {
    True: pgettext_lazy("masculine document", "Created"),
    False: pgettext_lazy("feminine document", "Created"),
}


def event_text(name: str, kind: str, type_code: str = "") -> str | None:
    """A history event that names a state, agreeing with the document ("Avoir émis", "Facture émise");
    None when the event has no gendered wording (the caller then uses its own label)."""
    if name == "created":
        return str(_CREATED[is_masculine(kind, type_code)])
    if name in _MASCULINE:
        return status_text(name, kind, type_code)
    return None


def line_rule_label(line: Any) -> str:
    """Which pricing rule priced a line (a stored `Line` or a line the editor resolves), as the document
    page shows it under the description: the price list, the discount, or that the price was typed."""
    parts = []
    if line.price_source == "price_list":
        parts.append(line.price_rule)
    if line.discount_rule == "manual":
        parts.append(str(_("discount typed by hand")))
    elif line.discount_rule:
        parts.append(line.discount_rule)
    if not parts and line.price_source == "manual" and line.product is not None:
        parts.append(str(_("price typed by hand")))
    return " · ".join(parts)

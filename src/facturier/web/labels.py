"""Words shown for statuses and history events, agreeing in gender with the document in French:
"Devis émis", "Facture émise", "Avoir émis", "Commande confirmée"."""

from django.utils.functional import Promise
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
    S.PARTIALLY_PAID: pgettext_lazy("masculine document", "Partially paid"),
    S.PAID: pgettext_lazy("masculine document", "Paid"),
    S.DISPUTED: pgettext_lazy("masculine document", "Disputed"),
    S.CANCELLED: pgettext_lazy("masculine document", "Cancelled by credit note"),
    S.ACCEPTED: pgettext_lazy("masculine document", "Accepted"),
    S.DECLINED: pgettext_lazy("masculine document", "Declined"),
    S.CONFIRMED: pgettext_lazy("masculine document", "Confirmed"),
    S.CONVERTED: pgettext_lazy("masculine document", "Converted"),
}
_FEMININE: dict[str, Promise] = {
    S.DRAFT: pgettext_lazy("feminine document", "Draft"),
    S.PENDING_APPROVAL: pgettext_lazy("feminine document", "Pending approval"),
    S.APPROVED: pgettext_lazy("feminine document", "Approved"),
    S.ISSUED: pgettext_lazy("feminine document", "Issued"),
    S.SENT: pgettext_lazy("feminine document", "Sent"),
    S.PARTIALLY_PAID: pgettext_lazy("feminine document", "Partially paid"),
    S.PAID: pgettext_lazy("feminine document", "Paid"),
    S.DISPUTED: pgettext_lazy("feminine document", "Disputed"),
    S.CANCELLED: pgettext_lazy("feminine document", "Cancelled by credit note"),
    S.ACCEPTED: pgettext_lazy("feminine document", "Accepted"),
    S.DECLINED: pgettext_lazy("feminine document", "Declined"),
    S.CONFIRMED: pgettext_lazy("feminine document", "Confirmed"),
    S.CONVERTED: pgettext_lazy("feminine document", "Converted"),
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

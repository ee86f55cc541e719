"""Which status may follow which, per kind of document. Services consult this before any change."""

from django.utils.translation import gettext as _

from facturier.common.errors import Conflict
from facturier.invoicing.models import Document, Kind, Status

S = Status
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    Kind.INVOICE: {
        S.DRAFT: frozenset({S.PENDING_APPROVAL, S.APPROVED, S.ISSUED}),
        S.PENDING_APPROVAL: frozenset({S.APPROVED, S.DRAFT}),
        S.APPROVED: frozenset({S.ISSUED, S.DRAFT}),
        S.ISSUED: frozenset({S.SENT, S.DISPUTED, S.CANCELLED, S.REFUSED}),
        S.SENT: frozenset({S.DISPUTED, S.CANCELLED, S.REFUSED}),
        # a resolved dispute goes back to where the invoice was: sent, or issued if it never was
        S.DISPUTED: frozenset({S.ISSUED, S.SENT, S.CANCELLED, S.REFUSED}),
        # refused by the buyer (CDAR 210) or rejected by a platform (213): credit it, invoice again
        S.REFUSED: frozenset({S.CANCELLED, S.SENT}),
        S.CANCELLED: frozenset(),
    },
    Kind.QUOTE: {
        S.DRAFT: frozenset({S.SENT, S.ACCEPTED, S.DECLINED, S.CONVERTED}),
        S.SENT: frozenset({S.ACCEPTED, S.DECLINED, S.CONVERTED}),
        S.ACCEPTED: frozenset({S.CONVERTED}),
        S.DECLINED: frozenset(),
        S.CONVERTED: frozenset(),
    },
    Kind.ORDER: {
        S.DRAFT: frozenset({S.CONFIRMED, S.CONVERTED}),
        S.CONFIRMED: frozenset({S.CONVERTED}),
        S.CONVERTED: frozenset(),
    },
}

EDITABLE = frozenset({S.DRAFT})
# Where an issued invoice may still be owed; whether it is paid is its settlement (payments.selectors).
OPEN_RECEIVABLE = frozenset({S.ISSUED, S.SENT, S.DISPUTED})


def check_transition(document: Document, target: str) -> None:
    """Raise Conflict naming the current and requested states if the move is not allowed."""
    allowed = TRANSITIONS[document.kind].get(document.status, frozenset())
    if target not in allowed:
        current = Status(document.status).label
        requested = Status(target).label
        raise Conflict(
            _("Cannot move %(document)s from '%(current)s' to '%(requested)s'.")
            % {"document": document, "current": current, "requested": requested},
            code="illegal_transition",
            current_status=document.status,
            requested_status=target,
        )


def check_editable(document: Document) -> None:
    if document.is_sealed or document.status not in EDITABLE:
        raise Conflict(
            _(
                "%(document)s is '%(label)s' and can no longer be edited; issued invoices are corrected with a credit note."
            )
            % {"document": document, "label": Status(document.status).label},
            code="document_not_editable",
            current_status=document.status,
        )

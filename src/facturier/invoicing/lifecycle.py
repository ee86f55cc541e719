"""Which status may follow which, per kind of document. Services consult this before any change."""

from django.utils.translation import gettext as _

from facturier.common.errors import Conflict
from facturier.invoicing import errors
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
# Issued invoices and credit notes that can (still) be sent as e-invoices through the customer's channel.
SENDABLE = frozenset({S.ISSUED, S.SENT})


def can_move(document: Document, target: str) -> bool:
    """Whether the lifecycle lets `document` go to `target` now (what `check_transition` enforces)."""
    return target in TRANSITIONS[document.kind].get(document.status, frozenset())


def is_editable(document: Document) -> bool:
    """Only an unsealed draft changes; what was issued is corrected with a credit note."""
    return not document.is_sealed and document.status in EDITABLE


def is_issued_invoice(document: Document) -> bool:
    """An issued invoice that is not a credit note: what payments settle and credit notes correct."""
    return document.kind == Kind.INVOICE and not document.is_credit_note and document.is_sealed


def awaits_approval(document: Document) -> bool:
    """A draft invoice of an entity that requires approval must be approved before it is issued."""
    return document.status == S.DRAFT and document.entity.requires_approval


def check_transition(document: Document, target: str) -> None:
    """Raise Conflict naming the current and requested states if the move is not allowed."""
    if not can_move(document, target):
        current = Status(document.status).label
        requested = Status(target).label
        raise Conflict(
            _("Cannot move %(document)s from '%(current)s' to '%(requested)s'.")
            % {"document": document, "current": current, "requested": requested},
            code=errors.ILLEGAL_TRANSITION,
            current_status=document.status,
            requested_status=target,
        )


def check_editable(document: Document) -> None:
    if not is_editable(document):
        raise Conflict(
            _(
                "%(document)s is '%(label)s' and can no longer be edited; issued invoices are corrected with a credit note."
            )
            % {"document": document, "label": Status(document.status).label},
            code=errors.DOCUMENT_NOT_EDITABLE,
            current_status=document.status,
        )

"""What happens to an issued invoice: sent, disputed, credited. Its content never changes.

Payments are not a status: they are allocations (`payments`), from which settlement is derived.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.invoicing import errors
from facturier.invoicing.lifecycle import check_transition, is_issued_invoice
from facturier.invoicing.lines import LineData, allowances_of, lines_of
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.invoicing.services.common import locked
from facturier.invoicing.services.drafts import document_create
from facturier.invoicing.services.issuing import _transition

ZERO = Decimal("0")


def credited_amount(invoice: Document) -> Decimal:
    """Total incl. VAT of the issued credit notes against `invoice`."""
    total = Document.objects.filter(
        preceding_invoice=invoice, type_code=TypeCode.CREDIT_NOTE, seal_hash__gt=""
    ).aggregate(total=Sum("tax_inclusive"))["total"]
    return total or ZERO


@transaction.atomic
def invoice_mark_sent(*, invoice: Document, by: Actor) -> Document:
    invoice = locked(invoice)
    authorize(by, Action.ISSUE, invoice.entity, invoice)
    return _transition(invoice, Status.SENT, by, "invoice.sent", sent_at=timezone.now())


@transaction.atomic
def invoice_dispute(*, invoice: Document, by: Actor, reason: str) -> Document:
    invoice = locked(invoice)
    authorize(by, Action.ISSUE, invoice.entity, invoice)
    invoice = _transition(invoice, Status.DISPUTED, by, "invoice.disputed")
    audit_record(
        entity=invoice.entity,
        actor=by,
        action="invoice.dispute_reason",
        obj=invoice,
        after={"reason": reason},
    )
    return invoice


@transaction.atomic
def invoice_resolve_dispute(*, invoice: Document, by: Actor) -> Document:
    invoice = locked(invoice)
    authorize(by, Action.ISSUE, invoice.entity, invoice)
    target = Status.SENT if invoice.sent_at else Status.ISSUED
    return _transition(invoice, target, by, "invoice.dispute_resolved")


# The default note is part of the document, so it is written in the document's language.
_CREDIT_NOTE_NOTE = {"fr": "Avoir sur facture {}", "en": "Credit note for invoice {}"}


@transaction.atomic
def credit_note_create(
    *, invoice: Document, by: Actor, lines: list[LineData] | None = None, reason: str = ""
) -> Document:
    """A draft credit note against an issued invoice: all its lines (full credit) or the lines given.

    A full credit also takes over the document-level allowances and charges, so it mirrors the
    invoice's totals exactly; a partial credit is just the lines given.
    """
    invoice = locked(invoice)
    authorize(by, Action.CREDIT, invoice.entity)
    if not is_issued_invoice(invoice):
        raise Conflict(_("%(invoice)s is not an issued invoice: only issued invoices are credited.") % {"invoice": invoice},
                       code=errors.NOT_CREDITABLE, current_status=invoice.status)  # fmt: skip
    if invoice.status == Status.CANCELLED:
        raise Conflict(
            _("%(invoice)s is already fully credited.") % {"invoice": invoice},
            code=errors.ALREADY_CREDITED,
            current_status=invoice.status,
        )
    credit_note = document_create(
        entity=invoice.entity, kind=Kind.INVOICE, type_code=TypeCode.CREDIT_NOTE, customer=invoice.customer, by=by,
        lines=lines if lines is not None else lines_of(invoice), preceding_invoice=invoice,
        allowances_charges=allowances_of(invoice) if lines is None else [],
        currency=invoice.currency, exchange_rate=invoice.exchange_rate, language=invoice.language,
        payment_terms=invoice.payment_terms, buyer_reference=invoice.buyer_reference,
        cost_centre=invoice.cost_centre,
        note=reason or _CREDIT_NOTE_NOTE.get(invoice.language, _CREDIT_NOTE_NOTE["en"]).format(invoice.number),
    )  # fmt: skip
    available = invoice.tax_inclusive - credited_amount(invoice)
    if credit_note.tax_inclusive > available:
        raise ValidationFailed(
            _("The credit note (%(tax_inclusive)s) exceeds what remains to credit on %(invoice)s (%(available)s).") % {"tax_inclusive": credit_note.tax_inclusive, "invoice": invoice, "available": available},
            field="lines", code=errors.CREDIT_EXCEEDS_INVOICE,
        )  # fmt: skip
    return credit_note


def apply_issued_credit_note(*, credit_note: Document, by: Actor) -> None:
    """Once a credit note is issued, an invoice credited in full is cancelled."""
    invoice = locked(credit_note.preceding_invoice)  # type: ignore[arg-type]
    if credited_amount(invoice) >= invoice.tax_inclusive and invoice.status != Status.CANCELLED:
        _transition(invoice, Status.CANCELLED, by, "invoice.cancelled_by_credit_note")


@transaction.atomic
def quote_set_status(*, quote: Document, status: str, by: Actor) -> Document:
    """Sent, accepted or declined by the customer (conversion has its own service)."""
    quote = locked(quote)
    authorize(by, Action.EDIT_DOCUMENTS, quote.entity, quote)
    if quote.kind not in (Kind.QUOTE, Kind.ORDER) or status == Status.CONVERTED:
        raise Conflict(_("Only quotes and orders change status this way."), code=errors.ILLEGAL_TRANSITION)
    check_transition(quote, status)
    return _transition(quote, status, by, f"{quote.kind}.{status}")

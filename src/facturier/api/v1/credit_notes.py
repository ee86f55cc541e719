"""`/api/v1/credit_notes`: credit notes (type 381) against issued invoices, and their lifecycle."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.document_schemas import CreditNoteCreateIn, DocumentOut
from facturier.api.v1.documents import document_get, line_data, register_common, reloaded
from facturier.api.v1.invoices import register_actions
from facturier.common.errors import NotFound, ValidationFailed
from facturier.invoicing import services
from facturier.invoicing.models import Document

router = Router(tags=["credit notes"])
register_common(router, "credit_notes")
register_actions(router, "credit_notes")


@router.post("/credit_notes", response={201: DocumentOut}, operation_id="credit_notes_create")
def credit_notes_create(request: HttpRequest, payload: CreditNoteCreateIn) -> Status[Document]:
    """A draft credit note: all the invoice's lines (full credit) or the lines given (negative allowed)."""
    key = require_scope(request, "credit_notes:write")
    try:
        invoice = document_get(request, "invoices", payload.invoice)
    except NotFound as error:
        raise ValidationFailed(_("Unknown invoice."), field="invoice", code="unknown_invoice") from error
    lines = line_data(entity_of(request), payload.lines) if payload.lines is not None else None
    credit_note = services.credit_note_create(
        invoice=invoice, by=as_actor(key), lines=lines, reason=payload.reason
    )
    return Status(201, reloaded(request, "credit_notes", credit_note))

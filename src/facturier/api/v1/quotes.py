"""`/api/v1/quotes`: list, create, read, update while draft, status changes and conversion."""

from django.http import HttpRequest
from ninja import Router, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import require_scope
from facturier.api.v1.document_schemas import ConvertIn, DocumentOut, QuoteCreateIn, QuoteStatusIn
from facturier.api.v1.documents import (
    document_get,
    draft_create,
    register_common,
    reloaded,
)
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind

router = Router(tags=["quotes"])
register_common(router, "quotes")
TARGET_RESOURCE: dict[str, str] = {Kind.ORDER: "orders", Kind.INVOICE: "invoices"}


@router.post("/quotes", response={201: DocumentOut}, operation_id="quotes_create")
def quotes_create(request: HttpRequest, payload: QuoteCreateIn) -> Status[Document]:
    return Status(201, draft_create(request, "quotes", Kind.QUOTE, payload))


@router.post("/quotes/{document_id}/status", response=DocumentOut, operation_id="quotes_set_status")
def quotes_set_status(request: HttpRequest, document_id: str, payload: QuoteStatusIn) -> Document:
    """Record that the quote was sent, accepted or declined by the customer."""
    key = require_scope(request, "quotes:write")
    quote = document_get(request, "quotes", document_id)
    services.quote_set_status(quote=quote, status=payload.status, by=as_actor(key))
    return reloaded(request, "quotes", quote)


@router.post("/quotes/{document_id}/convert", response={201: DocumentOut}, operation_id="quotes_convert")
def quotes_convert(request: HttpRequest, document_id: str, payload: ConvertIn) -> Status[Document]:
    """Turn the quote into an order or a draft invoice with the same lines; the quote links to it."""
    key = require_scope(request, "quotes:write")
    target = TARGET_RESOURCE[payload.to]
    require_scope(request, f"{target}:write")
    quote = document_get(request, "quotes", document_id)
    created = services.document_convert(document=quote, to_kind=payload.to, by=as_actor(key))
    return Status(201, reloaded(request, target, created))

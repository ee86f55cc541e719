"""`/api/v1/orders`: list, create, read, update while draft, confirmation and conversion to an invoice."""

from django.http import HttpRequest
from ninja import Router, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import require_scope
from facturier.api.v1.document_schemas import DocumentOut, OrderCreateIn
from facturier.api.v1.documents import (
    document_get,
    draft_create,
    register_common,
    reloaded,
)
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.models import Status as DocumentStatus

router = Router(tags=["orders"])
register_common(router, "orders")


@router.post("/orders", response={201: DocumentOut}, operation_id="orders_create")
def orders_create(request: HttpRequest, payload: OrderCreateIn) -> Status[Document]:
    return Status(201, draft_create(request, "orders", Kind.ORDER, payload))


@router.post("/orders/{document_id}/confirm", response=DocumentOut, operation_id="orders_confirm")
def orders_confirm(request: HttpRequest, document_id: str) -> Document:
    key = require_scope(request, "orders:write")
    order = document_get(request, "orders", document_id)
    services.quote_set_status(quote=order, status=DocumentStatus.CONFIRMED, by=as_actor(key))
    return reloaded(request, "orders", order)


@router.post("/orders/{document_id}/convert", response={201: DocumentOut}, operation_id="orders_convert")
def orders_convert(request: HttpRequest, document_id: str) -> Status[Document]:
    """Turn the order into a draft invoice with the same lines; the order links to it."""
    key = require_scope(request, "orders:write")
    require_scope(request, "invoices:write")
    order = document_get(request, "orders", document_id)
    created = services.document_convert(document=order, to_kind=Kind.INVOICE, by=as_actor(key))
    return Status(201, reloaded(request, "invoices", created))

"""What the quote, order, invoice and credit-note routers share: scoping, filters, input conversion,
and the list / read / update / delete endpoints, registered once per resource.

Quotes, orders, invoices and credit notes are one table (`invoicing.Document`); a resource is a slice
of it, and an id of another slice (or of another company) is answered 404 like an unknown id.
"""

import uuid
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.document_schemas import (
    AllowanceChargeIn,
    DocumentOut,
    DocumentPageOut,
    DocumentUpdateIn,
    LineIn,
    OrderCreateIn,
    QuoteCreateIn,
)
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import DateIn, choice, text
from facturier.catalog.selectors import product_get, product_get_by_code
from facturier.common import domain_wording
from facturier.common.errors import NotFound, ValidationFailed
from facturier.common.lookup import get_visible
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing import selectors, services
from facturier.invoicing.models import Document, Kind, Status
from facturier.parties.models import Customer
from facturier.parties.selectors import customer_get
from facturier.payments.selectors import Settlement, settle, settled_as, with_settled_amounts, with_settlement

# Who created, submitted and approved a document: shown by DocumentOut, read with the document.
ACTOR_FIELDS = (
    "created_by",
    "created_by_key",
    "submitted_by",
    "submitted_by_key",
    "approved_by",
    "approved_by_key",
)
# What `DocumentSummaryOut` (a list row) reads: the list loads these columns only, not the seventy of a
# document with its three JSON snapshots (issue 9: CPU per request), and the customer's name in the same
# query for documents without a snapshot yet.
SUMMARY_FIELDS = ("kind", "type_code", "status", "number", "customer", "customer__name", "customer_snapshot",
                  "issue_date", "due_date", "currency", "tax_exclusive", "tax_total", "tax_inclusive",
                  "payable", "seal_hash", "created_at", "updated_at")  # fmt: skip
StatusIn = choice(Status.values)
SettlementIn = choice(Settlement.values)
NOT_HEADER = frozenset(
    {"customer", "lines", "allowances_charges", "deposits", "preceding_invoice", "type_code"}
)


class DocumentFilters(Schema):
    status: StatusIn | None = Field(None, description="the document's lifecycle status")  # type: ignore[valid-type]
    settlement: SettlementIn | None = Field(  # type: ignore[valid-type]
        None, description="issued invoices: unpaid, partially_paid, paid or overpaid"
    )
    type_code: Literal["380", "381", "384", "386"] | None = Field(
        None, description="invoices: 380, 384 or 386"
    )
    customer: uuid.UUID | None = None
    date_from: DateIn | None = Field(None, description="issue date on or after (YYYY-MM-DD)")
    date_to: DateIn | None = Field(None, description="issue date on or before (YYYY-MM-DD)")
    search: text(200) = Field("", description="number or customer name")  # type: ignore[valid-type]
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def documents_of(entity: LegalEntity, resource: str) -> QuerySet[Document]:
    """The slice of the entity's documents a resource shows, with how far each is settled."""
    return with_settlement(selectors.documents_of(entity, resource))


def document_get(request: HttpRequest, resource: str, document_id: str | uuid.UUID) -> Document:
    documents = (
        documents_of(entity_of(request), resource)
        .select_related("customer", "entity", *ACTOR_FIELDS)
        .prefetch_related("lines", "allowances_charges", "deposits")
    )
    return get_visible(documents, document_id, message=_("Unknown document."), code="document_not_found")


def reloaded(request: HttpRequest, resource: str, document: Document) -> Document:
    """The document as stored after a service changed it, with its lines, for the response."""
    return document_get(request, resource, document.pk)


def filtered(
    documents: QuerySet[Document], filters: DocumentFilters, *, entity: LegalEntity
) -> QuerySet[Document]:
    """The query's filters, through the selectors the web lists use too (settlement: payments')."""
    documents = selectors.filtered(
        documents,
        selectors.DocumentFilters(
            status=filters.status or "", type_code=filters.type_code or "", customer=filters.customer,
            date_from=filters.date_from, date_to=filters.date_to, search=filters.search,
        ),
        entity=entity,
    )  # fmt: skip
    if filters.settlement:
        if filters.settlement not in Settlement.values:
            raise ValidationFailed(
                _("Unknown settlement '%(settlement)s'.") % {"settlement": filters.settlement},
                field="settlement",
                code="invalid_choice",
            )
        documents = settled_as(documents, filters.settlement)
    return documents


def customer_of(entity: LegalEntity, customer_id: uuid.UUID) -> Customer:
    try:
        return customer_get(entity=entity, pk=customer_id)
    except NotFound as error:
        raise ValidationFailed(_("Unknown customer."), field="customer", code="unknown_customer") from error


def line_data(entity: LegalEntity, lines: list[LineIn]) -> list[services.LineData]:
    """Turn request lines into service lines; a product must belong to the same company."""
    converted = []
    for index, line in enumerate(lines):
        values = line.model_dump(exclude_none=True)
        code = values.pop("product_code", None)
        if line.product is not None and code is not None:
            raise ValidationFailed(
                _("Give the product by its id or by its code, not both."),
                field=f"lines[{index}].product_code", code="product_twice",
            )  # fmt: skip
        try:
            if line.product is not None:
                values["product"] = product_get(entity=entity, pk=line.product)
            elif code is not None:
                values["product"] = product_get_by_code(entity=entity, code=code)
        except NotFound as error:
            field = "product" if line.product is not None else "product_code"
            raise ValidationFailed(
                _("Unknown product."), field=f"lines[{index}].{field}", code="unknown_product"
            ) from error
        converted.append(services.LineData(**values))
    return converted


def allowance_data(items: list[AllowanceChargeIn]) -> list[services.AllowanceChargeData]:
    return [services.AllowanceChargeData(**item.model_dump()) for item in items]


def deposit_documents(entity: LegalEntity, ids: list[uuid.UUID]) -> list[Document]:
    found = {d.pk: d for d in Document.objects.filter(entity=entity, kind=Kind.INVOICE, pk__in=ids)}
    missing = [str(pk) for pk in ids if pk not in found]
    if missing:
        raise ValidationFailed(_("Unknown deposit invoices: %(names)s") % {"names": ', '.join(missing)}, field="deposits",
                               code="invalid_deposit")  # fmt: skip
    return [found[pk] for pk in ids]


def header_of(payload: Schema, *, exclude_unset: bool) -> dict[str, Any]:
    """The header fields the client sent (on create, unsent ones keep the customer's defaults)."""
    values = payload.model_dump(exclude_unset=exclude_unset)
    header = {name: value for name, value in values.items() if name not in NOT_HEADER and value is not None}
    if "payment_terms" in header:
        # the due date is computed from them at issue time: refuse unreadable terms now, not then
        try:
            header["payment_terms"] = parse_terms(header["payment_terms"]).code
        except ValueError as error:
            raise ValidationFailed(
                domain_wording.payment_terms(header["payment_terms"]),
                field="payment_terms",
                code="invalid_payment_terms",
            ) from error
    return header


def draft_create(
    request: HttpRequest, resource: str, kind: str, payload: QuoteCreateIn | OrderCreateIn
) -> Document:
    """A new draft quote or order from the client's customer, lines, allowances/charges and header."""
    key = require_scope(request, f"{resource}:write")
    entity = entity_of(request)
    document = services.document_create(
        entity=entity, kind=kind, customer=customer_of(entity, payload.customer), by=as_actor(key),
        lines=line_data(entity, payload.lines), allowances_charges=allowance_data(payload.allowances_charges),
        **header_of(payload, exclude_unset=False),
    )  # fmt: skip
    return reloaded(request, resource, document)


def register_common(router: Router, resource: str) -> None:
    """Add list, read, update-while-draft and (for invoices) delete-draft endpoints for `resource`."""
    label = resource.replace("_", " ")

    @router.get(f"/{resource}", response=DocumentPageOut, operation_id=f"{resource}_list",
                summary=f"List {label}")  # fmt: skip
    def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> dict[str, object]:
        require_scope(request, f"{resource}:read")
        entity = entity_of(request)
        documents = with_settled_amounts(selectors.documents_of(entity, resource))
        documents = (
            filtered(documents, filters, entity=entity).select_related("customer").only(*SUMMARY_FIELDS)
        )
        page = paginate(request, documents, cursor=filters.cursor, limit=filters.limit)
        settle(page.items)
        return {"items": page.items, "next": page.next}

    @router.get(f"/{resource}/{{document_id}}", response=DocumentOut, operation_id=f"{resource}_read",
                summary=f"Read one of the {label}")  # fmt: skip
    def read_document(request: HttpRequest, document_id: str) -> Document:
        require_scope(request, f"{resource}:read")
        return document_get(request, resource, document_id)

    @router.patch(f"/{resource}/{{document_id}}", response=DocumentOut, operation_id=f"{resource}_update",
                  summary=f"Update a draft ({label}); 409 once it is no longer a draft")  # fmt: skip
    def update_document(request: HttpRequest, document_id: str, payload: DocumentUpdateIn) -> Document:
        key = require_scope(request, f"{resource}:write")
        document = document_get(request, resource, document_id)
        entity = entity_of(request)
        changes: dict[str, Any] = header_of(payload, exclude_unset=True)
        if payload.customer is not None:
            changes["customer"] = customer_of(entity, payload.customer)
        if payload.lines is not None:
            changes["lines"] = line_data(entity, payload.lines)
        if payload.allowances_charges is not None:
            changes["allowances_charges"] = allowance_data(payload.allowances_charges)
        if document.kind == Kind.INVOICE and "valid_until" in changes:
            raise ValidationFailed(
                _("Only quotes have a validity date."), field="valid_until", code="unknown_field"
            )
        services.document_update(document=document, by=as_actor(key), **changes)
        return reloaded(request, resource, document)

    if resource in ("invoices", "credit_notes"):

        @router.delete(f"/{resource}/{{document_id}}", response={204: None}, operation_id=f"{resource}_delete",
                       summary=f"Delete a draft ({label})")  # fmt: skip
        def delete_document(request: HttpRequest, document_id: str) -> HttpResponse:
            key = require_scope(request, f"{resource}:write")
            services.document_delete_draft(
                document=document_get(request, resource, document_id), by=as_actor(key)
            )
            return HttpResponse(status=204)

"""`/api/v1/inbox`: upload supplier e-invoices (multipart), list and read what was received.

The upload is idempotent by content: sending the same bytes again creates nothing and answers
200 with the existing row (``already_received``), so no ``Idempotency-Key`` is needed (a replayed
multipart body would differ by its boundary anyway). A refused single file is a problem+json 422
(413 when too large); a zip answers with one item per member, refused members included.
"""

import datetime as dt
import functools
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.problems import problem
from facturier.inbox import selectors
from facturier.inbox.errors import FILE_TOO_LARGE, InboxFileTooLarge
from facturier.inbox.limits import InboxLimits
from facturier.inbox.models import Channel, ReceivedInvoice
from facturier.inbox.services import ImportItem, einvoice_import
from facturier.inbox.uploads import declared_length_over_limit

router = Router(tags=["inbox"])


class SupplierRef(Schema):
    id: uuid.UUID
    name: str
    siren: str
    vat_number: str


class ReceivedInvoiceOut(Schema):
    id: uuid.UUID
    status: str
    channel: str
    format: str
    syntax: str
    profile: str
    supplier: SupplierRef
    number: str
    type_code: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    tax_exclusive: Decimal
    tax_total: Decimal | None
    tax_inclusive: Decimal
    amount_due: Decimal
    seller_name: str
    buyer_name: str
    validation: str = Field(description="valid, invalid, or not_run (validation could not run)")
    error_count: int
    warning_count: int
    duplicate_of_id: uuid.UUID | None = Field(None, description="the first receipt of this supplier + number")
    original_filename: str
    archive_filename: str
    size: int
    sha256: str
    created_at: dt.datetime


class FindingOut(Schema):
    rule_id: str
    severity: str
    location: str
    message: str
    source: str
    line: int | None = None


class ReceivedInvoiceDetailOut(ReceivedInvoiceOut):
    findings: list[FindingOut]
    validation_ran: bool
    validation_artefacts: list[str]


class ImportErrorOut(Schema):
    code: str
    message: str


class ImportItemOut(Schema):
    filename: str
    outcome: str = Field(description="imported, already_received or refused")
    received: ReceivedInvoiceOut | None = None
    error: ImportErrorOut | None = None


class ImportOut(Schema):
    filename: str
    sha256: str
    is_archive: bool
    items: list[ImportItemOut]


class ReceivedPageOut(Schema):
    items: list[ReceivedInvoiceOut]
    next: str | None = None


class InboxFilters(Schema):
    status: Literal["received", "needs_review", "accepted", "rejected", "duplicate"] | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def _item(item: ImportItem) -> dict[str, Any]:
    if item.error is not None:
        return {
            "filename": item.filename,
            "outcome": "refused",
            "error": {"code": item.error.code, "message": str(item.error.message)},
        }
    return {
        "filename": item.filename,
        "outcome": "imported" if item.created else "already_received",
        "received": item.record,
    }


def _refuse_oversize_body(view: Callable[..., Any]) -> Callable[..., Any]:
    """Answer 413 from the Content-Length alone, before the multipart body is read."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        length = declared_length_over_limit(request)
        if length is not None:
            limit = InboxLimits.from_settings().max_file_bytes
            return problem(
                request, status=413, code=FILE_TOO_LARGE, field="file",
                detail=_("The request body is %(length)s bytes, over the %(limit)s bytes file limit.")
                % {"length": length, "limit": limit},
            )  # fmt: skip
        return view(request, *args, **kwargs)

    return wrapper


@router.post("/inbox", response={200: ImportOut, 201: ImportOut}, operation_id="inbox_upload")
@decorate_view(_refuse_oversize_body)
def inbox_upload(request: HttpRequest, file: File[UploadedFile]) -> Status[dict[str, Any]]:
    """Upload a Factur-X/ZUGFeRD PDF, a CII or UBL XML, or a zip of those (field ``file``)."""
    key = require_scope(request, "inbox:write")
    limits = InboxLimits.from_settings()
    if file.size is not None and file.size > limits.max_file_bytes:
        raise InboxFileTooLarge(
            _("The file is %(size)s bytes, over the %(limit)s bytes limit.")
            % {"size": file.size, "limit": limits.max_file_bytes},
            field="file",
        )
    content = file.read()
    result = einvoice_import(
        entity=entity_of(request),
        by=as_actor(key),
        filename=file.name or "upload",
        content=content,
        channel=Channel.API,
    )
    body = {
        "filename": result.filename,
        "sha256": result.sha256,
        "is_archive": result.is_archive,
        "items": [_item(item) for item in result.items],
    }
    return Status(201 if result.created else 200, body)


@router.get("/inbox", response=ReceivedPageOut, operation_id="inbox_list")
def inbox_list(request: HttpRequest, filters: Query[InboxFilters]) -> dict[str, object]:
    require_scope(request, "inbox:read")
    rows = selectors.received_invoices(entity=entity_of(request), status=filters.status)
    page = paginate(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/inbox/{received_id}", response=ReceivedInvoiceDetailOut, operation_id="inbox_read")
def inbox_read(request: HttpRequest, received_id: uuid.UUID) -> dict[str, Any]:
    require_scope(request, "inbox:read")
    received = selectors.received_invoice_get(entity=entity_of(request), pk=received_id)
    report = received.validation_report
    return {
        **ReceivedInvoiceOut.model_validate(received).model_dump(),
        "findings": received.findings,
        "validation_ran": bool(report.get("ran")),
        "validation_artefacts": list(report.get("artefacts", [])),
    }


@router.get("/inbox/{received_id}/original", operation_id="inbox_original")
def inbox_original(request: HttpRequest, received_id: uuid.UUID) -> HttpResponse:
    """The file exactly as it was received."""
    require_scope(request, "inbox:read")
    received: ReceivedInvoice = selectors.received_invoice_get(entity=entity_of(request), pk=received_id)
    with received.original.open("rb") as handle:
        data = handle.read()
    is_pdf = received.format == "facturx_pdf"
    response = HttpResponse(data, content_type="application/pdf" if is_pdf else "application/xml")
    name = get_valid_filename(f"{received.number[:60]}.{'pdf' if is_pdf else 'xml'}") or "invoice"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

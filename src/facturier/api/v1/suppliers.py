"""`/api/v1/suppliers`: the companies that invoice us, created by the inbox (scope `inbox`).

Read and correct only: suppliers are created from received e-invoices.
"""

import datetime as dt
import uuid
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import required_text, text
from facturier.parties import selectors, services
from facturier.parties.models import Supplier

router = Router(tags=["suppliers"])


class SupplierOut(Schema):
    id: uuid.UUID
    name: str
    siren: str
    siret: str
    vat_number: str
    registration_id: str
    registration_scheme: str
    address_line1: str
    address_line2: str
    postcode: str
    city: str
    country: str
    email: str
    electronic_address_scheme: str
    electronic_address: str
    iban: str
    is_active: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class SupplierUpdateIn(Schema):
    """Only the fields sent are changed (a null leaves its field as it is); identifiers and the IBAN are validated."""

    model_config = ConfigDict(extra="forbid")

    name: required_text(200) | None = None  # type: ignore[valid-type]
    siren: text(20) | None = None  # type: ignore[valid-type]
    siret: text(30) | None = None  # type: ignore[valid-type]
    vat_number: text(30) | None = None  # type: ignore[valid-type]
    registration_id: text(50) | None = None  # type: ignore[valid-type]
    registration_scheme: text(10) | None = None  # type: ignore[valid-type]
    address_line1: text(200) | None = None  # type: ignore[valid-type]
    address_line2: text(200) | None = None  # type: ignore[valid-type]
    postcode: text(20) | None = None  # type: ignore[valid-type]
    city: text(100) | None = None  # type: ignore[valid-type]
    country: Annotated[str, Field(max_length=2, pattern="^(?:[A-Z]{2})?$")] | None = None
    email: text(254) | None = None  # type: ignore[valid-type]
    electronic_address_scheme: text(10) | None = None  # type: ignore[valid-type]
    electronic_address: text(100) | None = None  # type: ignore[valid-type]
    iban: text(50) | None = None  # type: ignore[valid-type]
    is_active: StrictBool | None = None
    notes: text() | None = None  # type: ignore[valid-type]


class SupplierPageOut(Schema):
    items: list[SupplierOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class SupplierFilters(Schema):
    search: text(200) = Field("", description="name, SIREN or VAT number")  # type: ignore[valid-type]
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


@router.get("/suppliers", response=SupplierPageOut, operation_id="suppliers_list")
def suppliers_list(request: HttpRequest, filters: Query[SupplierFilters]) -> dict[str, object]:
    require_scope(request, "inbox:read")
    suppliers = selectors.supplier_list(entity=entity_of(request), search=filters.search)
    page = paginate(request, suppliers, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/suppliers/{supplier_id}", response=SupplierOut, operation_id="suppliers_read")
def suppliers_read(request: HttpRequest, supplier_id: str) -> Supplier:
    require_scope(request, "inbox:read")
    return selectors.supplier_get(entity=entity_of(request), pk=supplier_id)


@router.patch("/suppliers/{supplier_id}", response=SupplierOut, operation_id="suppliers_update")
def suppliers_update(request: HttpRequest, supplier_id: str, payload: SupplierUpdateIn) -> Supplier:
    key = require_scope(request, "inbox:write")
    supplier = selectors.supplier_get(entity=entity_of(request), pk=supplier_id)
    return services.supplier_update(
        supplier=supplier, by=as_actor(key), **payload.model_dump(exclude_unset=True, exclude_none=True)
    )

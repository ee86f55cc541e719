"""`/api/v1/customers`: list, create, read, update. Validation and audit live in parties.services."""

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, paginate
from facturier.parties import selectors, services
from facturier.parties.models import Customer

router = Router(tags=["customers"])


class CustomerFields(Schema):
    kind: str = "business"
    siren: str = ""
    siret: str = ""
    vat_number: str = ""
    registration_id: str = ""
    registration_scheme: str = ""
    address_line2: str = ""
    country: str = "FR"
    delivery_line1: str = ""
    delivery_line2: str = ""
    delivery_postcode: str = ""
    delivery_city: str = ""
    delivery_country: str = ""
    email: str = ""
    phone: str = ""
    language: str = "fr"
    currency: str | None = Field(None, description="ISO 4217; default: the company's currency")
    payment_terms: str = Field("net30", description="net30, 45eom, eom45, netN...")
    vat_regime: str = "domestic"
    exemption_reason: str = ""
    electronic_address_scheme: str = ""
    electronic_address: str = ""
    service_code: str = ""
    is_active: bool = True
    notes: str = ""


class CustomerCreateIn(CustomerFields):
    model_config = ConfigDict(extra="forbid")

    code: str
    name: str
    address_line1: str
    postcode: str
    city: str


class CustomerUpdateIn(Schema):
    """Only the fields sent are changed."""

    model_config = ConfigDict(extra="forbid")

    code: str | None = None
    name: str | None = None
    kind: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    registration_id: str | None = None
    registration_scheme: str | None = None
    address_line1: str | None = None
    address_line2: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None
    delivery_line1: str | None = None
    delivery_line2: str | None = None
    delivery_postcode: str | None = None
    delivery_city: str | None = None
    delivery_country: str | None = None
    email: str | None = None
    phone: str | None = None
    language: str | None = None
    currency: str | None = None
    payment_terms: str | None = None
    vat_regime: str | None = None
    exemption_reason: str | None = None
    electronic_address_scheme: str | None = None
    electronic_address: str | None = None
    service_code: str | None = None
    is_active: bool | None = None
    notes: str | None = None


class CustomerOut(CustomerFields):
    id: uuid.UUID
    code: str
    name: str
    address_line1: str
    postcode: str
    city: str
    currency: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class CustomerFilters(Schema):
    search: str = Field("", description="name, code, SIREN, VAT number or city")
    is_active: bool | None = None
    kind: str | None = None
    cursor: str | None = None
    limit: int = DEFAULT_LIMIT


@router.get("/customers", response=CustomerPageOut, operation_id="customers_list")
def customers_list(request: HttpRequest, filters: Query[CustomerFilters]) -> dict[str, object]:
    require_scope(request, "customers:read")
    customers = selectors.customer_list(
        entity=entity_of(request), search=filters.search, is_active=filters.is_active, kind=filters.kind
    )
    page = paginate(request, customers, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/customers", response={201: CustomerOut}, operation_id="customers_create")
def customers_create(request: HttpRequest, payload: CustomerCreateIn) -> Status[Customer]:
    key = require_scope(request, "customers:write")
    fields = payload.model_dump(exclude_none=True)
    customer = services.customer_create(
        entity=entity_of(request), by=key, code=fields.pop("code"), name=fields.pop("name"), **fields
    )
    return Status(201, customer)


@router.get("/customers/{customer_id}", response=CustomerOut, operation_id="customers_read")
def customers_read(request: HttpRequest, customer_id: str) -> Customer:
    require_scope(request, "customers:read")
    return selectors.customer_get(entity=entity_of(request), pk=customer_id)


@router.patch("/customers/{customer_id}", response=CustomerOut, operation_id="customers_update")
def customers_update(request: HttpRequest, customer_id: str, payload: CustomerUpdateIn) -> Customer:
    key = require_scope(request, "customers:write")
    customer = selectors.customer_get(entity=entity_of(request), pk=customer_id)
    return services.customer_update(customer=customer, by=key, **payload.model_dump(exclude_unset=True))

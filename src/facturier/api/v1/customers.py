"""`/api/v1/customers`: list, create, read, update. Validation and audit live in parties.services."""

import datetime as dt
import uuid
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import CurrencyIn, required_text, text
from facturier.parties import selectors, services
from facturier.parties.models import Customer

router = Router(tags=["customers"])


CustomerKindIn = Literal["business", "consumer", "public"]
VatRegimeIn = Literal["domestic", "intra_eu_reverse_charge", "export", "exempt"]
LanguageIn = Literal["fr", "en"]
CountryIn = Annotated[
    str, Field(min_length=2, max_length=2, pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2")
]
DeliveryCountryIn = Annotated[
    str, Field(max_length=2, pattern="^(?:[A-Z]{2})?$", description="ISO 3166-1 alpha-2")
]


class CustomerFields(Schema):
    """What a customer has besides the required fields; lengths are those of the model's columns."""

    kind: CustomerKindIn = "business"
    siren: text(20) = ""  # type: ignore[valid-type]
    siret: text(30) = ""  # type: ignore[valid-type]
    vat_number: text(30) = ""  # type: ignore[valid-type]
    registration_id: text(50) = ""  # type: ignore[valid-type]
    registration_scheme: text(10) = ""  # type: ignore[valid-type]
    address_line2: text(200) = ""  # type: ignore[valid-type]
    country: CountryIn = "FR"
    delivery_line1: text(200) = ""  # type: ignore[valid-type]
    delivery_line2: text(200) = ""  # type: ignore[valid-type]
    delivery_postcode: text(20) = ""  # type: ignore[valid-type]
    delivery_city: text(100) = ""  # type: ignore[valid-type]
    delivery_country: DeliveryCountryIn = ""
    email: text(254) = ""  # type: ignore[valid-type]
    phone: text(30) = ""  # type: ignore[valid-type]
    language: LanguageIn = "fr"
    currency: CurrencyIn | None = Field(None, description="ISO 4217; default: the company's currency")
    payment_terms: text(20) = Field("net30", description="net30, 45eom, eom45, netN...")  # type: ignore[valid-type]
    vat_regime: VatRegimeIn = "domestic"
    exemption_reason: text(200) = ""  # type: ignore[valid-type]
    electronic_address_scheme: text(10) = ""  # type: ignore[valid-type]
    electronic_address: text(100) = ""  # type: ignore[valid-type]
    service_code: text(100) = ""  # type: ignore[valid-type]
    is_active: StrictBool = True
    notes: text() = ""  # type: ignore[valid-type]


class CustomerCreateIn(CustomerFields):
    model_config = ConfigDict(extra="forbid")

    code: required_text(30)  # type: ignore[valid-type]
    name: required_text(200)  # type: ignore[valid-type]
    address_line1: required_text(200)  # type: ignore[valid-type]
    postcode: required_text(20)  # type: ignore[valid-type]
    city: required_text(100)  # type: ignore[valid-type]


class CustomerUpdateIn(Schema):
    """Only the fields sent are changed; a null leaves its field as it is."""

    model_config = ConfigDict(extra="forbid")

    code: required_text(30) | None = None  # type: ignore[valid-type]
    name: required_text(200) | None = None  # type: ignore[valid-type]
    kind: CustomerKindIn | None = None
    siren: text(20) | None = None  # type: ignore[valid-type]
    siret: text(30) | None = None  # type: ignore[valid-type]
    vat_number: text(30) | None = None  # type: ignore[valid-type]
    registration_id: text(50) | None = None  # type: ignore[valid-type]
    registration_scheme: text(10) | None = None  # type: ignore[valid-type]
    address_line1: required_text(200) | None = None  # type: ignore[valid-type]
    address_line2: text(200) | None = None  # type: ignore[valid-type]
    postcode: required_text(20) | None = None  # type: ignore[valid-type]
    city: required_text(100) | None = None  # type: ignore[valid-type]
    country: CountryIn | None = None
    delivery_line1: text(200) | None = None  # type: ignore[valid-type]
    delivery_line2: text(200) | None = None  # type: ignore[valid-type]
    delivery_postcode: text(20) | None = None  # type: ignore[valid-type]
    delivery_city: text(100) | None = None  # type: ignore[valid-type]
    delivery_country: DeliveryCountryIn | None = None
    email: text(254) | None = None  # type: ignore[valid-type]
    phone: text(30) | None = None  # type: ignore[valid-type]
    language: LanguageIn | None = None
    currency: CurrencyIn | None = None
    payment_terms: text(20) | None = None  # type: ignore[valid-type]
    vat_regime: VatRegimeIn | None = None
    exemption_reason: text(200) | None = None  # type: ignore[valid-type]
    electronic_address_scheme: text(10) | None = None  # type: ignore[valid-type]
    electronic_address: text(100) | None = None  # type: ignore[valid-type]
    service_code: text(100) | None = None  # type: ignore[valid-type]
    is_active: StrictBool | None = None
    notes: text() | None = None  # type: ignore[valid-type]


class CustomerOut(Schema):
    id: uuid.UUID
    code: str
    name: str
    kind: str
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
    delivery_line1: str
    delivery_line2: str
    delivery_postcode: str
    delivery_city: str
    delivery_country: str
    email: str
    phone: str
    language: str
    currency: str | None
    payment_terms: str
    vat_regime: str
    exemption_reason: str
    electronic_address_scheme: str
    electronic_address: str
    service_code: str
    is_active: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime


class CustomerPageOut(Schema):
    items: list[CustomerOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class CustomerFilters(Schema):
    search: text(200) = Field("", description="name, code, SIREN, VAT number or city")  # type: ignore[valid-type]
    is_active: bool | None = None
    kind: CustomerKindIn | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


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
        entity=entity_of(request),
        by=as_actor(key),
        code=fields.pop("code"),
        name=fields.pop("name"),
        **fields,
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
    return services.customer_update(
        customer=customer, by=as_actor(key), **payload.model_dump(exclude_unset=True, exclude_none=True)
    )

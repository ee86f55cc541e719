"""`/api/v1/products`: list, create, read, update. Price and VAT checks live in catalog.services."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import (
    DecimalIn,
    DecimalOut,
    PercentIn,
    UnitIn,
    VatCategoryIn,
    required_text,
    text,
)
from facturier.catalog import selectors, services
from facturier.catalog.models import Product

router = Router(tags=["products"])
AccountingCategoryIn = Literal["goods", "services"]


class ProductCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    sku: required_text(50) = Field(description="the company's reference for the product")  # type: ignore[valid-type]
    name: required_text(200)  # type: ignore[valid-type]
    description: text() = ""  # type: ignore[valid-type]
    unit: UnitIn = Field("C62", description="UN/ECE Rec 20 unit code (C62 unit, HUR hour, DAY day...)")
    unit_price: DecimalIn = Field(description="excl. VAT, at most 6 decimals")
    vat_category: VatCategoryIn = Field("S", description="EN 16931 VAT category: S, Z, E, AE, K, G, O")
    vat_rate: PercentIn = Decimal("20.00")
    accounting_category: AccountingCategoryIn = Field("services", description="goods or services")
    is_active: StrictBool = True


class ProductUpdateIn(Schema):
    """Only the fields sent are changed; a null leaves its field as it is."""

    model_config = ConfigDict(extra="forbid")

    sku: required_text(50) | None = None  # type: ignore[valid-type]
    name: required_text(200) | None = None  # type: ignore[valid-type]
    description: text() | None = None  # type: ignore[valid-type]
    unit: UnitIn | None = None
    unit_price: DecimalIn | None = None
    vat_category: VatCategoryIn | None = None
    vat_rate: PercentIn | None = None
    accounting_category: AccountingCategoryIn | None = None
    is_active: StrictBool | None = None


class ProductOut(Schema):
    id: uuid.UUID
    sku: str
    name: str
    description: str
    unit: str
    unit_price: DecimalOut
    vat_category: str
    vat_rate: DecimalOut
    accounting_category: str
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductPageOut(Schema):
    items: list[ProductOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class ProductFilters(Schema):
    search: text(200) = Field("", description="reference, name or description")  # type: ignore[valid-type]
    is_active: bool | None = None
    vat_category: VatCategoryIn | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


@router.get("/products", response=ProductPageOut, operation_id="products_list")
def products_list(request: HttpRequest, filters: Query[ProductFilters]) -> dict[str, object]:
    require_scope(request, "products:read")
    products = selectors.product_list(
        entity=entity_of(request),
        search=filters.search,
        is_active=filters.is_active,
        vat_category=filters.vat_category,
    )
    page = paginate(request, products, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/products", response={201: ProductOut}, operation_id="products_create")
def products_create(request: HttpRequest, payload: ProductCreateIn) -> Status[Product]:
    key = require_scope(request, "products:write")
    fields = payload.model_dump()
    product = services.product_create(
        entity=entity_of(request), by=as_actor(key), sku=fields.pop("sku"), name=fields.pop("name"),
        unit_price=fields.pop("unit_price"), **fields,
    )  # fmt: skip
    return Status(201, product)


@router.get("/products/{product_id}", response=ProductOut, operation_id="products_read")
def products_read(request: HttpRequest, product_id: str) -> Product:
    require_scope(request, "products:read")
    return selectors.product_get(entity=entity_of(request), pk=product_id)


@router.patch("/products/{product_id}", response=ProductOut, operation_id="products_update")
def products_update(request: HttpRequest, product_id: str, payload: ProductUpdateIn) -> Product:
    key = require_scope(request, "products:write")
    product = selectors.product_get(entity=entity_of(request), pk=product_id)
    return services.product_update(
        product=product, by=as_actor(key), **payload.model_dump(exclude_unset=True, exclude_none=True)
    )

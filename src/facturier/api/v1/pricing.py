"""`/api/v1/price-lists` (with their items) and `/api/v1/promotions`: list, create, read, update.

Pricing rules belong to the catalogue: the `products:read` and `products:write` scopes cover them.
The rules themselves live in facturier.pricing (services check, selectors scope to the key's company).
"""

import datetime as dt
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import CurrencyIn, DateIn, DecimalIn, DecimalOut, PercentIn, required_text, text
from facturier.catalog.selectors import product_get
from facturier.common.errors import NotFound, ValidationFailed
from facturier.parties.selectors import customer_get
from facturier.pricing import selectors, services
from facturier.pricing.models import PriceList, PriceListItem, Promotion

router = Router(tags=["pricing"])


def _refs(entity: LegalEntity, values: dict[str, Any]) -> dict[str, Any]:
    """Ids sent for customer, segment and product, turned into this company's rows (else a 422 naming the field)."""
    getters: dict[str, Callable[..., Any]] = {
        "customer": customer_get,
        "segment": selectors.segment_get,
        "product": product_get,
    }
    for name, getter in getters.items():
        if values.get(name) is not None:
            try:
                values[name] = getter(entity=entity, pk=values[name])
            except NotFound as error:
                raise ValidationFailed(error.message, field=name, code=f"unknown_{name}") from error
    return values


class PriceListItemOut(Schema):
    id: uuid.UUID
    product: uuid.UUID
    min_quantity: DecimalOut
    unit_price: DecimalOut
    graduated: bool = Field(
        description="true: only the units from this break on take this price "
        "(graduated tiers); false: a line reaching it has every unit at this price (volume)"
    )

    @staticmethod
    def resolve_product(obj: PriceListItem) -> uuid.UUID:
        return obj.product_id


class PriceListOut(Schema):
    id: uuid.UUID
    name: str
    currency: str
    customer: uuid.UUID | None = Field(description="the customer these prices were negotiated with")
    segment: uuid.UUID | None = Field(description="or the customer segment they are for")
    valid_from: dt.date | None
    valid_until: dt.date | None
    is_active: bool
    items: list[PriceListItemOut]

    @staticmethod
    def resolve_customer(obj: PriceList) -> uuid.UUID | None:
        return obj.customer_id

    @staticmethod
    def resolve_segment(obj: PriceList) -> uuid.UUID | None:
        return obj.segment_id

    @staticmethod
    def resolve_items(obj: PriceList) -> list[PriceListItem]:
        return list(selectors.price_list_items(price_list=obj))


class PriceListItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    product: uuid.UUID
    min_quantity: DecimalIn = Field(
        Decimal(0), description="the price applies from this quantity up (a break)"
    )
    unit_price: DecimalIn = Field(description="excl. VAT, at most 6 decimals")
    graduated: StrictBool = Field(
        False,
        description="graduated tier: only the units from `min_quantity` on take this price, those below are "
        "priced by the lower breaks (each unit in its band); default false: volume, every unit of a line "
        "reaching the break at this price",
    )


class PriceListCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: required_text(200)  # type: ignore[valid-type]
    currency: CurrencyIn | None = Field(None, description="ISO 4217; default: the company's currency")
    customer: uuid.UUID | None = Field(None, description="give a customer or a segment, not both")
    segment: uuid.UUID | None = None
    valid_from: DateIn | None = Field(None, description="first day (included), in the company's time zone")
    valid_until: DateIn | None = Field(None, description="last day (included)")
    is_active: StrictBool = True
    items: list[PriceListItemIn] = []


class PriceListUpdateIn(Schema):
    """Only the fields sent change; `items` given set those prices (others are kept)."""

    model_config = ConfigDict(extra="forbid")

    name: required_text(200) | None = None  # type: ignore[valid-type]
    currency: CurrencyIn | None = None
    valid_from: DateIn | None = None
    valid_until: DateIn | None = None
    is_active: StrictBool | None = None
    items: list[PriceListItemIn] | None = None


class PricingPageFilters(Schema):
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


class PriceListPageOut(Schema):
    items: list[PriceListOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


def _set_items(request: HttpRequest, price_list: PriceList, items: list[PriceListItemIn]) -> None:
    entity = entity_of(request)
    for index, item in enumerate(items):
        try:
            product = product_get(entity=entity, pk=item.product)
        except NotFound as error:
            raise ValidationFailed(
                error.message, field=f"items[{index}].product", code="unknown_product"
            ) from error
        services.price_list_item_set(price_list=price_list, by=as_actor(request.auth), product=product,  # type: ignore[attr-defined]
                                     unit_price=item.unit_price, min_quantity=item.min_quantity,
                                     graduated=item.graduated)  # fmt: skip


@router.get("/price-lists", response=PriceListPageOut, operation_id="price_lists_list")
def price_lists_list(request: HttpRequest, filters: Query[PricingPageFilters]) -> dict[str, object]:
    require_scope(request, "products:read")
    page = paginate(request, selectors.price_list_list(entity=entity_of(request)), cursor=filters.cursor,
                    limit=filters.limit)  # fmt: skip
    return {"items": page.items, "next": page.next}


@router.post("/price-lists", response={201: PriceListOut}, operation_id="price_lists_create")
def price_lists_create(request: HttpRequest, payload: PriceListCreateIn) -> Status[PriceList]:
    key = require_scope(request, "products:write")
    entity = entity_of(request)
    fields = _refs(entity, payload.model_dump(exclude={"items"}, exclude_none=True))
    with transaction.atomic():  # the list and its prices, or nothing
        price_list = services.price_list_save(entity=entity, by=as_actor(key), **fields)
        _set_items(request, price_list, payload.items)
    return Status(201, price_list)


@router.get("/price-lists/{price_list_id}", response=PriceListOut, operation_id="price_lists_read")
def price_lists_read(request: HttpRequest, price_list_id: str) -> PriceList:
    require_scope(request, "products:read")
    return selectors.price_list_get(entity=entity_of(request), pk=price_list_id)


@router.patch("/price-lists/{price_list_id}", response=PriceListOut, operation_id="price_lists_update")
def price_lists_update(request: HttpRequest, price_list_id: str, payload: PriceListUpdateIn) -> PriceList:
    key = require_scope(request, "products:write")
    entity = entity_of(request)
    price_list = selectors.price_list_get(entity=entity, pk=price_list_id)
    fields = payload.model_dump(exclude_unset=True, exclude_none=True, exclude={"items"})
    with transaction.atomic():
        if fields:
            price_list = services.price_list_save(
                entity=entity, by=as_actor(key), price_list=price_list, **fields
            )
        if payload.items is not None:
            _set_items(request, price_list, payload.items)
    return price_list


@router.delete("/price-lists/{price_list_id}/items/{item_id}", response={204: None},
               operation_id="price_lists_item_delete")  # fmt: skip
def price_lists_item_delete(request: HttpRequest, price_list_id: str, item_id: str) -> HttpResponse:
    key = require_scope(request, "products:write")
    price_list = selectors.price_list_get(entity=entity_of(request), pk=price_list_id)
    item = selectors.price_list_item_get(price_list=price_list, pk=item_id)
    services.price_list_item_remove(item=item, by=as_actor(key))
    return HttpResponse(status=204)


class PromotionOut(Schema):
    id: uuid.UUID
    name: str
    code: str = Field(description="empty: automatic; else only documents carrying this code get it")
    percent: DecimalOut
    product: uuid.UUID | None
    customer: uuid.UUID | None
    segment: uuid.UUID | None
    valid_from: dt.date
    valid_until: dt.date
    is_active: bool

    @staticmethod
    def resolve_product(obj: Promotion) -> uuid.UUID | None:
        return obj.product_id

    @staticmethod
    def resolve_customer(obj: Promotion) -> uuid.UUID | None:
        return obj.customer_id

    @staticmethod
    def resolve_segment(obj: Promotion) -> uuid.UUID | None:
        return obj.segment_id


class PromotionCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: required_text(200)  # type: ignore[valid-type]
    code: text(40) = Field("", description="no spaces; compared without case")  # type: ignore[valid-type]
    percent: PercentIn = Field(description="off the line, above 0 and at most 100")
    product: uuid.UUID | None = Field(None, description="only this product; default: every product")
    customer: uuid.UUID | None = Field(None, description="only this customer")
    segment: uuid.UUID | None = Field(None, description="only the customers of this segment")
    valid_from: DateIn = Field(description="first day (included), in the company's time zone")
    valid_until: DateIn = Field(description="last day (included)")
    is_active: StrictBool = True


class PromotionUpdateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: required_text(200) | None = None  # type: ignore[valid-type]
    code: text(40) | None = None  # type: ignore[valid-type]
    percent: PercentIn | None = None
    valid_from: DateIn | None = None
    valid_until: DateIn | None = None
    is_active: StrictBool | None = None


class PromotionPageOut(Schema):
    items: list[PromotionOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


@router.get("/promotions", response=PromotionPageOut, operation_id="promotions_list")
def promotions_list(request: HttpRequest, filters: Query[PricingPageFilters]) -> dict[str, object]:
    require_scope(request, "products:read")
    page = paginate(request, selectors.promotion_list(entity=entity_of(request)), cursor=filters.cursor,
                    limit=filters.limit)  # fmt: skip
    return {"items": page.items, "next": page.next}


@router.post("/promotions", response={201: PromotionOut}, operation_id="promotions_create")
def promotions_create(request: HttpRequest, payload: PromotionCreateIn) -> Status[Promotion]:
    key = require_scope(request, "products:write")
    entity = entity_of(request)
    fields = _refs(entity, payload.model_dump(exclude_none=True))
    return Status(201, services.promotion_save(entity=entity, by=as_actor(key), **fields))


@router.get("/promotions/{promotion_id}", response=PromotionOut, operation_id="promotions_read")
def promotions_read(request: HttpRequest, promotion_id: str) -> Promotion:
    require_scope(request, "products:read")
    return selectors.promotion_get(entity=entity_of(request), pk=promotion_id)


@router.patch("/promotions/{promotion_id}", response=PromotionOut, operation_id="promotions_update")
def promotions_update(request: HttpRequest, promotion_id: str, payload: PromotionUpdateIn) -> Promotion:
    key = require_scope(request, "products:write")
    entity = entity_of(request)
    promotion = selectors.promotion_get(entity=entity, pk=promotion_id)
    fields = payload.model_dump(exclude_unset=True, exclude_none=True)
    return services.promotion_save(entity=entity, by=as_actor(key), promotion=promotion, **fields)

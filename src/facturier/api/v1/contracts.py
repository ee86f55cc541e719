"""`/api/v1/contracts`: list, read, create (with items), change an item from a date, terminate.

Scopes `contracts:read` and `contracts:write`; the rules (proration, notice periods) live in
`billing.services`, what is billed in `billing.compute`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import (
    BaseAmountIn,
    CurrencyIn,
    DateIn,
    DecimalIn,
    DecimalOut,
    PercentIn,
    UnitIn,
    VatCategoryIn,
    required_text,
    text,
)
from facturier.billing import selectors, services
from facturier.billing.models import Contract, ContractItem, IndexSeries
from facturier.common.errors import NotFound
from facturier.common.lookup import get_visible
from facturier.parties.selectors import customer_get

router = Router(tags=["contracts"])
PricingIn = Literal["flat", "per_unit", "tiered", "volume", "one_off"]


class TierIn(Schema):
    model_config = ConfigDict(extra="forbid")

    up_to: int | None = Field(None, ge=1, description="the last unit of the tier; null: no upper bound")
    unit_price: DecimalIn
    flat: DecimalIn | None = None


class ItemIn(Schema):
    model_config = ConfigDict(extra="forbid")

    description: text(500) = ""  # type: ignore[valid-type]
    product: uuid.UUID | None = None
    pricing_model: PricingIn = "per_unit"
    tiers: list[TierIn] = Field(default_factory=list, max_length=50)
    quantity: DecimalIn = Decimal(1)
    unit_price: DecimalIn | None = None
    unit: UnitIn = "C62"
    vat_category: VatCategoryIn | None = None
    vat_rate: PercentIn | None = None
    index_base: DecimalIn | None = Field(None, description="S0: the index value the price was set at")


class ContractCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: uuid.UUID
    reference: required_text(50)  # type: ignore[valid-type]
    start_date: DateIn
    end_date: DateIn | None = None
    items: list[ItemIn] = Field(min_length=1, max_length=100)
    frequency: text(200) = "monthly"  # type: ignore[valid-type]
    timing: Literal["advance", "arrears"] = "advance"
    alignment: Literal["calendar", "anniversary"] = "calendar"
    trial_days: int = Field(0, ge=0, le=3650)
    currency: CurrencyIn | None = None
    tacit_renewal: StrictBool = True
    term_months: int | None = Field(None, ge=1, le=1200)
    notice_days: int = Field(0, ge=0, le=3650)
    proration_policy: Literal["next_invoice", "immediate"] = "next_invoice"
    minimum_amount: BaseAmountIn | None = None
    notify_days: int | None = Field(None, ge=0, le=365)
    index: text(30) = Field("", description="the code of a price index (Syntec); needs revision_date")  # type: ignore[valid-type]
    revision_date: DateIn | None = None


class ChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")

    effective_date: DateIn
    item: int | None = Field(None, ge=1, description="the item changed or removed; absent: `new` is added")
    new: ItemIn | None = Field(None, description="the item from that day; absent: `item` is removed")
    kind: Literal["quantity", "price", "plan"] = "quantity"


class TerminateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    end_date: DateIn = Field(description="the first day no longer billed")


class ItemOut(Schema):
    id: int
    description: str
    pricing_model: str
    tiers: list[dict[str, Any]]
    quantity: DecimalOut
    unit_price: DecimalOut
    unit: str
    vat_category: str
    vat_rate: DecimalOut
    start_date: dt.date
    end_date: dt.date | None
    index_base: DecimalOut | None


class ContractOut(Schema):
    id: uuid.UUID
    reference: str
    customer: uuid.UUID
    customer_name: str
    status: str
    currency: str
    start_date: dt.date
    end_date: dt.date | None
    frequency: str
    timing: str
    alignment: str
    trial_days: int
    tacit_renewal: bool
    term_months: int | None
    notice_days: int
    proration_policy: str
    minimum_amount: DecimalOut | None
    notify_days: int | None
    index: str
    revision_date: dt.date | None
    items: list[ItemOut]

    @staticmethod
    def resolve_customer(obj: Contract) -> uuid.UUID:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: Contract) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_index(obj: Contract) -> str:
        return obj.index_series.code if obj.index_series else ""

    @staticmethod
    def resolve_items(obj: Contract) -> list[ContractItem]:
        return list(obj.items.all())


class ContractPageOut(Schema):
    items: list[ContractOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class ContractFilters(Schema):
    customer: uuid.UUID | None = None
    status: Literal["active", "terminated"] | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def _contract(request: HttpRequest, contract_id: str) -> Contract:
    contract: Contract = get_visible(
        Contract.objects.filter(entity=entity_of(request)).select_related("customer", "entity", "index_series"),
        contract_id, message=_("Unknown contract."), code="contract_not_found", field="contract",
    )  # fmt: skip
    return contract


def _tier(tier: TierIn) -> dict[str, Any]:
    found: dict[str, Any] = {"up_to": tier.up_to, "unit_price": str(tier.unit_price)}
    return found | ({"flat": str(tier.flat)} if tier.flat is not None else {})


def _item_data(request: HttpRequest, item: ItemIn) -> services.ItemData:
    from facturier.catalog.models import Product

    product = None
    if item.product is not None:
        product = get_visible(Product.objects.filter(entity=entity_of(request)), item.product,
                              message=_("Unknown product."), code="unknown_product", field="product")  # fmt: skip
    return services.ItemData(
        description=item.description, product=product, pricing_model=item.pricing_model,
        tiers=[_tier(tier) for tier in item.tiers], quantity=item.quantity,
        unit_price=item.unit_price, unit=item.unit, vat_category=item.vat_category, vat_rate=item.vat_rate,
        index_base=item.index_base,
    )  # fmt: skip


@router.get("/contracts", response=ContractPageOut, operation_id="contracts_list")
def contracts_list(request: HttpRequest, filters: Query[ContractFilters]) -> dict[str, object]:
    require_scope(request, "contracts:read")
    entity = entity_of(request)
    contracts = selectors.contracts_of(entity=entity).select_related("index_series").prefetch_related("items")
    if filters.customer:
        contracts = contracts.filter(customer=customer_get(entity=entity, pk=filters.customer))
    if filters.status:
        contracts = contracts.filter(status=filters.status)
    page = paginate(request, contracts, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/contracts", response={201: ContractOut}, operation_id="contracts_create")
def contracts_create(request: HttpRequest, payload: ContractCreateIn) -> Status[Contract]:
    key = require_scope(request, "contracts:write")
    entity = entity_of(request)
    series = None
    if payload.index:
        series = IndexSeries.objects.filter(entity=entity, code=payload.index).first()
        if series is None:
            raise NotFound(_("Unknown index."), field="index", code="index_not_found")
    contract = services.contract_create(
        entity=entity, customer=customer_get(entity=entity, pk=payload.customer), by=as_actor(key),
        reference=payload.reference, start_date=payload.start_date, end_date=payload.end_date,
        items=[_item_data(request, item) for item in payload.items], frequency=payload.frequency,
        timing=payload.timing, alignment=payload.alignment, trial_days=payload.trial_days, currency=payload.currency,
        tacit_renewal=payload.tacit_renewal, term_months=payload.term_months, notice_days=payload.notice_days,
        proration_policy=payload.proration_policy, minimum_amount=payload.minimum_amount,
        notify_days=payload.notify_days, index_series=series, revision_date=payload.revision_date,
    )  # fmt: skip
    return Status(201, _contract(request, str(contract.pk)))


@router.get("/contracts/{contract_id}", response=ContractOut, operation_id="contracts_read")
def contracts_read(request: HttpRequest, contract_id: str) -> Contract:
    require_scope(request, "contracts:read")
    return _contract(request, contract_id)


@router.post("/contracts/{contract_id}/changes", response={201: ContractOut}, operation_id="contracts_change")
def contracts_change(request: HttpRequest, contract_id: str, payload: ChangeIn) -> Status[Contract]:
    """From `effective_date`: `item` replaced by `new`, removed, or `new` added; days already invoiced are
    credited or charged per the contract's proration policy (next invoice, or at once)."""
    key = require_scope(request, "contracts:write")
    contract = _contract(request, contract_id)
    item = None
    if payload.item is not None:
        item = get_visible(ContractItem.objects.filter(contract=contract), str(payload.item),
                           message=_("This item is not in force on that day."), code="unknown_item",
                           field="item")  # fmt: skip
    services.contract_change(
        contract=contract, by=as_actor(key), effective_date=payload.effective_date, item=item,
        new=_item_data(request, payload.new) if payload.new else None, kind=payload.kind,
    )  # fmt: skip
    return Status(201, _contract(request, contract_id))


@router.post("/contracts/{contract_id}/terminate", response=ContractOut, operation_id="contracts_terminate")
def contracts_terminate(request: HttpRequest, contract_id: str, payload: TerminateIn) -> Contract:
    """Stop billing from `end_date` (its notice period applies); unused days billed are credited."""
    key = require_scope(request, "contracts:write")
    services.contract_terminate(
        contract=_contract(request, contract_id), by=as_actor(key), end_date=payload.end_date
    )
    return _contract(request, contract_id)

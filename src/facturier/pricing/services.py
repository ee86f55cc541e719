"""Writes on pricing rules: segments, price lists and their items, discounts, promotions.

Each write is one transaction, authorized as a catalog edit on the `products` resource (prices are
part of the catalog: the same people and API scopes), checked, and audited.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.catalog.models import Product
from facturier.common import domain_wording
from facturier.common.cleaning import full_clean_or_raise
from facturier.common.errors import ValidationFailed
from facturier.domain.money import (
    AmountPrecisionError,
    InvalidCurrency,
    check_amount,
    to_decimal,
    validate_currency,
)
from facturier.parties.models import Customer
from facturier.pricing.models import Discount, DiscountKind, PriceList, PriceListItem, Promotion, Segment

RESOURCE = "products"

PRICE_LIST_FIELDS = frozenset(
    {"name", "currency", "customer", "segment", "valid_from", "valid_until", "is_active"}
)
DISCOUNT_FIELDS = frozenset(
    {"name", "kind", "percent", "product", "segment", "min_quantity", "min_invoiced", "min_years", "valid_from",
     "valid_until", "is_active"}
)  # fmt: skip
PROMOTION_FIELDS = frozenset(
    {"name", "code", "percent", "product", "customer", "segment", "valid_from", "valid_until", "is_active"}
)
SEGMENT_FIELDS = frozenset({"code", "name"})


def _decimal(value: Any, *, field: str, places: int, integer_digits: int = 14) -> Decimal:
    try:
        amount = check_amount(
            to_decimal(value), places=places, max_integer_digits=integer_digits, field=field
        )
    except (AmountPrecisionError, ArithmeticError, TypeError, ValueError) as error:
        raise ValidationFailed(
            domain_wording.amount(field, places=places, integer_digits=integer_digits),
            field=field, code="invalid_amount",
        ) from error  # fmt: skip
    if amount < 0:
        raise ValidationFailed(
            _("%(field)s: not negative.") % {"field": field}, field=field, code="invalid_amount"
        )
    return amount.quantize(Decimal(1).scaleb(-places))


def _percent(value: Any) -> Decimal:
    percent = _decimal(value, field="percent", places=2, integer_digits=3)
    if not Decimal(0) < percent <= Decimal(100):
        raise ValidationFailed(
            _("A discount is between 0 and 100 %."), field="percent", code="invalid_discount"
        )
    return percent


def _same_entity(entity: LegalEntity, value: models.Model | None, field: str) -> None:
    if value is not None and getattr(value, "entity_id", None) != entity.pk:
        raise ValidationFailed(
            _("Unknown %(field)s.") % {"field": field}, field=field, code=f"unknown_{field}"
        )


def _apply(row: models.Model, allowed: frozenset[str], fields: dict[str, Any], entity: LegalEntity) -> None:
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(_("Unknown fields: %(names)s") % {"names": ", ".join(unknown)}, field=unknown[0],
                               code="unknown_field")  # fmt: skip
    for name, value in fields.items():
        if name in ("customer", "segment", "product"):
            _same_entity(entity, value, name)
        elif name == "percent":
            value = _percent(value)
        elif name in ("min_quantity",):
            value = _decimal(value, field=name, places=4)
        elif name == "min_invoiced" and value is not None:
            value = _decimal(value, field=name, places=2)
        elif isinstance(value, str):
            value = value.strip()
        setattr(row, name, value)
    valid_from, valid_until = getattr(row, "valid_from", None), getattr(row, "valid_until", None)
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise ValidationFailed(_("The end of validity comes before its start."), field="valid_until",
                               code="invalid_period")  # fmt: skip
    full_clean_or_raise(row, exclude=["entity", "price_list", "customers"])


def _state(row: models.Model, names: frozenset[str]) -> dict[str, Any]:
    return {name: str(getattr(row, f"{name}_id")) if hasattr(row, f"{name}_id") else getattr(row, name)
            for name in sorted(names)}  # fmt: skip


def _save(row: Any, *, by: Actor, names: frozenset[str], noun: str, before: dict[str, Any] | None) -> Any:
    row.save()
    verb = "created" if before is None else "updated"
    audit_record(entity=row.entity, actor=by, action=f"{noun}.{verb}", obj=row, before=before,
                 after=_state(row, names))  # fmt: skip
    return row


# --- segments -------------------------------------------------------------------------------------------


@transaction.atomic
def segment_save(*, entity: LegalEntity, by: Actor, segment: Segment | None = None,
                 customers: list[Customer] | None = None, **fields: Any) -> Segment:  # fmt: skip
    """Create (no `segment`) or change a customer segment; `customers` replaces its members when given."""
    authorize(by, Action.EDIT_CATALOG, entity, resource=RESOURCE)
    before = None if segment is None else _state(segment, SEGMENT_FIELDS)
    row = segment or Segment(entity=entity)
    _apply(row, SEGMENT_FIELDS, fields, entity)
    if Segment.objects.filter(entity=entity, code=row.code).exclude(pk=row.pk).exists():
        raise ValidationFailed(_("The code '%(code)s' is already used.") % {"code": row.code}, field="code",
                               code="duplicate_code")  # fmt: skip
    _save(row, by=by, names=SEGMENT_FIELDS, noun="segment", before=before)
    if customers is not None:
        for customer in customers:
            _same_entity(entity, customer, "customer")
        row.customers.set(customers)
    return row


# --- price lists ----------------------------------------------------------------------------------------


@transaction.atomic
def price_list_save(*, entity: LegalEntity, by: Actor, price_list: PriceList | None = None,
                    **fields: Any) -> PriceList:  # fmt: skip
    """Create (no `price_list`) or change a price list: for one customer or one segment, never both."""
    authorize(by, Action.EDIT_CATALOG, entity, resource=RESOURCE)
    if price_list is not None:
        price_list = PriceList.objects.select_for_update().get(pk=price_list.pk, entity=entity)
    before = None if price_list is None else _state(price_list, PRICE_LIST_FIELDS)
    row = price_list or PriceList(entity=entity, currency=entity.default_currency)
    _apply(row, PRICE_LIST_FIELDS, fields, entity)
    try:
        row.currency = validate_currency(row.currency)
    except InvalidCurrency as error:
        raise ValidationFailed(domain_wording.currency(row.currency), field="currency",
                               code="invalid_currency") from error  # fmt: skip
    if (row.customer_id is None) == (row.segment_id is None):
        raise ValidationFailed(_("A price list is for one customer or for one segment."), field="customer",
                               code="price_list_target")  # fmt: skip
    return _save(row, by=by, names=PRICE_LIST_FIELDS, noun="price_list", before=before)  # type: ignore[no-any-return]


@transaction.atomic
def price_list_item_set(*, price_list: PriceList, by: Actor, product: Product, unit_price: Any,
                        min_quantity: Any = Decimal(0), graduated: bool = False) -> PriceListItem:  # fmt: skip
    """Set the price of `product` from `min_quantity` up in a list (adds a break or replaces its price).

    `graduated`: only the units from this break on take this price, those below keep the lower breaks'
    (domain.pricing.tiers); otherwise a line reaching the break has every unit at this price (volume).
    """
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk)
    authorize(by, Action.EDIT_CATALOG, price_list.entity, resource=RESOURCE)
    _same_entity(price_list.entity, product, "product")
    quantity = _decimal(min_quantity, field="min_quantity", places=4)
    price = _decimal(unit_price, field="unit_price", places=6)
    item, _created = PriceListItem.objects.update_or_create(
        price_list=price_list,
        product=product,
        min_quantity=quantity,
        defaults={"unit_price": price, "graduated": bool(graduated)},
    )
    audit_record(entity=price_list.entity, actor=by, action="price_list.item_set", obj=price_list,
                 after={"product": str(product.pk), "min_quantity": quantity, "unit_price": price,
                        "graduated": bool(graduated)})  # fmt: skip
    return item


@transaction.atomic
def price_list_item_remove(*, item: PriceListItem, by: Actor) -> None:
    price_list = PriceList.objects.select_for_update().get(pk=item.price_list_id)
    authorize(by, Action.EDIT_CATALOG, price_list.entity, resource=RESOURCE)
    audit_record(entity=price_list.entity, actor=by, action="price_list.item_removed", obj=price_list,
                 before={"product": str(item.product_id), "min_quantity": item.min_quantity,
                         "unit_price": item.unit_price, "graduated": item.graduated})  # fmt: skip
    item.delete()


# --- discounts and promotions ---------------------------------------------------------------------------


@transaction.atomic
def discount_save(
    *, entity: LegalEntity, by: Actor, discount: Discount | None = None, **fields: Any
) -> Discount:
    """Create or change a volume discount (one row per tier) or a loyalty discount (needs a condition)."""
    authorize(by, Action.EDIT_CATALOG, entity, resource=RESOURCE)
    before = None if discount is None else _state(discount, DISCOUNT_FIELDS)
    row = discount or Discount(entity=entity)
    _apply(row, DISCOUNT_FIELDS, fields, entity)
    if row.kind == DiscountKind.LOYALTY and row.min_invoiced is None and row.min_years is None:
        raise ValidationFailed(
            _("A loyalty discount needs an amount invoiced over 12 months or a number of years."),
            field="min_invoiced", code="loyalty_condition_required",
        )  # fmt: skip
    return _save(row, by=by, names=DISCOUNT_FIELDS, noun="discount", before=before)  # type: ignore[no-any-return]


@transaction.atomic
def promotion_save(*, entity: LegalEntity, by: Actor, promotion: Promotion | None = None,
                   **fields: Any) -> Promotion:  # fmt: skip
    """Create or change a time-limited promotion; with a code it applies only to documents carrying it."""
    authorize(by, Action.EDIT_CATALOG, entity, resource=RESOURCE)
    before = None if promotion is None else _state(promotion, PROMOTION_FIELDS)
    row = promotion or Promotion(entity=entity)
    _apply(row, PROMOTION_FIELDS, fields, entity)
    if row.code and any(ch.isspace() for ch in row.code):
        raise ValidationFailed(_("A promotion code has no spaces."), field="code", code="invalid_code")
    return _save(row, by=by, names=PROMOTION_FIELDS, noun="promotion", before=before)  # type: ignore[no-any-return]

"""Reads on pricing rules, always scoped to one legal entity; another entity's rule is unknown here."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.common.lookup import get_visible
from facturier.pricing.models import Discount, PriceList, PriceListItem, Promotion, Segment


def segment_list(*, entity: LegalEntity) -> QuerySet[Segment]:
    return Segment.objects.filter(entity=entity)


def segment_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Segment:
    found: Segment = get_visible(segment_list(entity=entity), pk, message=_("Unknown customer segment."),
                                 code="segment_not_found", field="segment")  # fmt: skip
    return found


def price_list_list(*, entity: LegalEntity) -> QuerySet[PriceList]:
    return PriceList.objects.filter(entity=entity).select_related("customer", "segment")


def price_list_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> PriceList:
    found: PriceList = get_visible(price_list_list(entity=entity), pk, message=_("Unknown price list."),
                                   code="price_list_not_found", field="price_list")  # fmt: skip
    return found


def price_list_items(*, price_list: PriceList) -> QuerySet[PriceListItem]:
    return price_list.items.select_related("product")


def price_list_item_get(*, price_list: PriceList, pk: uuid.UUID | str) -> PriceListItem:
    found: PriceListItem = get_visible(price_list_items(price_list=price_list), pk, message=_("Unknown price."),
                                       code="price_not_found", field="item")  # fmt: skip
    return found


def discount_list(*, entity: LegalEntity) -> QuerySet[Discount]:
    return Discount.objects.filter(entity=entity).select_related("product", "segment")


def discount_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Discount:
    found: Discount = get_visible(discount_list(entity=entity), pk, message=_("Unknown discount."),
                                  code="discount_not_found", field="discount")  # fmt: skip
    return found


def promotion_list(*, entity: LegalEntity) -> QuerySet[Promotion]:
    return Promotion.objects.filter(entity=entity).select_related("product", "customer", "segment")


def promotion_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Promotion:
    found: Promotion = get_visible(promotion_list(entity=entity), pk, message=_("Unknown promotion."),
                                   code="promotion_not_found", field="promotion")  # fmt: skip
    return found

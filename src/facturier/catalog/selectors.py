"""Reads on products and services, always scoped to one legal entity."""

import uuid

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.common.errors import NotFound
from facturier.common.lookup import get_visible


def product_list(
    *, entity: LegalEntity, search: str = "", is_active: bool | None = None, vat_category: str | None = None
) -> QuerySet[Product]:
    """Products of `entity`, filtered by a free-text search on reference, name and description."""
    products: QuerySet[Product] = Product.objects.filter(entity=entity)
    if search.strip():
        term = search.strip()
        products = products.filter(
            Q(sku__icontains=term) | Q(name__icontains=term) | Q(description__icontains=term)
        )
    if is_active is not None:
        products = products.filter(is_active=is_active)
    if vat_category:
        products = products.filter(vat_category=vat_category)
    return products


def product_get(*, entity: LegalEntity, pk: uuid.UUID | str) -> Product:
    """One product of `entity`; another entity's product is as unknown as a missing one."""
    product: Product = get_visible(
        Product.objects.filter(entity=entity), pk, message=_("Unknown product."), field="product",
        code="product_not_found",
    )  # fmt: skip
    return product


def product_get_by_code(*, entity: LegalEntity, code: str) -> Product:
    """The product of `entity` whose reference (``sku``) is `code`; another entity's code is unknown here."""
    product: Product | None = (
        Product.objects.filter(entity=entity, sku=code.strip()).first() if code.strip() else None
    )
    if product is None:
        raise NotFound(_("Unknown product."), field="product_code", code="product_not_found")
    return product

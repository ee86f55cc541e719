"""Admin for superusers: products, created and changed through the catalog services."""

from typing import Any

from django.contrib import admin

from facturier.accounts.actor import as_admin
from facturier.catalog.models import Product
from facturier.catalog.services import PRODUCT_FIELDS, product_create, product_update
from facturier.common.admin import ServiceAdmin


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ("sku", "name", "entity", "unit_price", "vat_category", "vat_rate", "is_active")
    list_filter = ("entity", "vat_category", "is_active")
    search_fields = ("sku", "name")
    fields = ("entity", *(f.name for f in Product._meta.fields if f.name in PRODUCT_FIELDS))

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("entity",) if obj is not None else ()

    def service_create(self, superuser: Any, fields: dict[str, Any]) -> Product:
        return product_create(by=as_admin(superuser), **fields)

    def service_update(self, superuser: Any, obj: Any, fields: dict[str, Any]) -> Product:
        return product_update(product=obj, by=as_admin(superuser), **fields)

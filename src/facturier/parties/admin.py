"""Admin for superusers: customers, created and changed through the parties services."""

from typing import Any

from django.contrib import admin

from facturier.accounts.actor import as_admin
from facturier.common.admin import ServiceAdmin
from facturier.parties.models import Customer
from facturier.parties.services import CUSTOMER_FIELDS, customer_create, customer_update


@admin.register(Customer)
class CustomerAdmin(ServiceAdmin):
    list_display = ("code", "name", "entity", "kind", "siren", "city", "is_active")
    list_filter = ("entity", "kind", "vat_regime", "is_active")
    search_fields = ("code", "name", "siren", "vat_number", "city")
    fields = ("entity", *(f.name for f in Customer._meta.fields if f.name in CUSTOMER_FIELDS))

    def get_readonly_fields(self, request: Any, obj: Any = None) -> tuple[str, ...]:
        return ("entity",) if obj is not None else ()

    def service_create(self, superuser: Any, fields: dict[str, Any]) -> Customer:
        return customer_create(by=as_admin(superuser), **fields)

    def service_update(self, superuser: Any, obj: Any, fields: dict[str, Any]) -> Customer:
        return customer_update(customer=obj, by=as_admin(superuser), **fields)

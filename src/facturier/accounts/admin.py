"""Admin for superusers: companies and memberships through their services; API keys read-only
(the secret is never stored; a key is created with `facturier apikey create` and shown once)."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts.actor import as_admin
from facturier.accounts.models import ApiKey, LegalEntity, Membership
from facturier.accounts.services import (
    ENTITY_FIELDS,
    api_key_revoke,
    check_entity_settings,
    entity_create,
    entity_update,
    membership_change,
)
from facturier.common.admin import ReadOnlyAdmin, ServiceAdmin


@admin.register(LegalEntity)
class LegalEntityAdmin(ServiceAdmin):
    list_display = ("name", "legal_form", "siren", "city", "default_currency", "time_zone")
    search_fields = ("name", "siren", "siret", "vat_number", "city")
    fields = tuple(f.name for f in LegalEntity._meta.fields if f.name in ENTITY_FIELDS - {"logo"})
    readonly_fields = ("logo",)  # uploaded from the company page, which checks the image
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def service_create(self, superuser: Any, fields: dict[str, Any]) -> LegalEntity:
        return entity_create(by=as_admin(superuser), **check_entity_settings(fields))

    def service_update(self, superuser: Any, obj: Any, fields: dict[str, Any]) -> LegalEntity:
        return entity_update(entity=obj, by=as_admin(superuser), **fields)


@admin.register(Membership)
class MembershipAdmin(ServiceAdmin):
    list_display = ("user", "entity", "role")
    list_filter = ("role", "entity")
    search_fields = ("user__username", "entity__name")
    fields = ("user", "entity", "role")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("user", "entity") if obj is not None else ()

    def service_create(self, superuser: Any, fields: dict[str, Any]) -> Membership:
        return membership_change(
            entity=fields["entity"], user=fields["user"], role=fields["role"], by=as_admin(superuser)
        )

    def service_update(self, superuser: Any, obj: Any, fields: dict[str, Any]) -> Membership:
        return membership_change(
            entity=obj.entity, user=obj.user, role=fields.get("role", obj.role), by=as_admin(superuser)
        )


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "entity", "scopes", "last_used_at", "revoked_at")
    list_filter = ("entity",)
    search_fields = ("name", "prefix")
    readonly_fields = (
        "name",
        "prefix",
        "entity",
        "digest",
        "scopes",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    actions = ("revoke",)

    @admin.action(description="Revoke the selected keys")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        actor = as_admin(request.user)
        for key in queryset.filter(revoked_at__isnull=True).select_related("entity"):
            api_key_revoke(entity=key.entity, prefix=key.prefix, by=actor)
        self.message_user(request, "Revoked.")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # the changelist action needs it; the form itself has only read-only fields
        return bool(getattr(request.user, "is_superuser", False))


# django-otp registers its devices in the admin, where a superuser would read other users' TOTP keys and
# recovery codes and change them without an audit event: second factors are managed only through
# accounts.two_factor (the account page, an administrator's reset, `facturier manage two_factor_reset`).
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)

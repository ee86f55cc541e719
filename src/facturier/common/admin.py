"""The Django admin, for the installation's superusers: the same services as everywhere else.

Writes made in the admin go through the app's service (validated, one transaction, audited) instead
of `Model.save()`, so a superuser cannot store an invalid SIRET or skip the audit trail. A form is
checked by running the service in a savepoint that is rolled back, which puts the service's refusal on
the field it names; the save then runs it for real. Superusers act as `admin:<username>` in the audit
(each app's admin turns the superuser into an `accounts.actor.AdminActor` with `as_admin`).
"""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.forms import ModelForm
from django.http import HttpRequest

from facturier.common.errors import BusinessError


class _DryRun(Exception):
    """Raised to roll back the savepoint of a validation run."""


class SuperuserAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Visible and usable by superusers only (staff users work in the staff UI)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deleting business rows would break the audit trail


class ReadOnlyAdmin(SuperuserAdmin):
    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceAdmin(SuperuserAdmin):
    """Subclasses say which service creates and which updates a row."""

    def service_create(self, superuser: Any, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def service_update(self, superuser: Any, obj: Any, fields: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def run_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> models.Model:  # type: ignore[type-arg]
        if obj is None or obj._state.adding:
            return self.service_create(request.user, dict(form.cleaned_data))
        changed = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        return self.service_update(request.user, obj, changed)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class CheckedByService(base):  # type: ignore[misc, valid-type]
            def _post_clean(self) -> None:
                super()._post_clean()
                if self.errors:
                    return
                try:
                    with transaction.atomic():
                        model_admin.run_service(request, obj, self)
                        raise _DryRun
                except _DryRun:
                    pass
                except BusinessError as error:
                    self.add_error(error.field if error.field in self.fields else None, error.message)

        return CheckedByService

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        saved = self.run_service(request, None if not change else obj, form)
        obj.pk = saved.pk
        obj._state.adding = False

"""Base model and tenant scoping shared by every business table."""

import uuid
from typing import Any

from django.db import models


class BaseModel(models.Model):
    """UUID primary key (no guessable ids in URLs) and creation/update timestamps (UTC)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TenantQuerySet(models.QuerySet[Any]):
    """Every business query goes through `for_entity` or `for_user`: rows of other entities stay invisible."""

    def for_entity(self, entity):  # type: ignore[no-untyped-def]
        return self.filter(entity=entity)

    def for_user(self, user):  # type: ignore[no-untyped-def]
        if not user.is_authenticated:
            return self.none()
        return self.filter(entity__memberships__user=user).distinct()


class TenantModel(BaseModel):
    """A business row: it belongs to exactly one legal entity."""

    entity = models.ForeignKey("accounts.LegalEntity", on_delete=models.PROTECT, related_name="+")

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True

"""Template context: the entity the user is working in, the entities they may switch to, and what
their role there allows (so templates hide the buttons a service would refuse)."""

import functools
from types import MappingProxyType
from typing import Any

from django.http import HttpRequest

from facturier.accounts.roles import Action, role_allows
from facturier.invoicing.selectors import awaiting_approval_count


def current_entity(request: HttpRequest) -> dict[str, Any]:
    role: str = getattr(request, "role", "")
    entity = getattr(request, "entity", None)

    def approvals_waiting() -> int:
        """The count next to "To approve" in the menu; a callable, so only pages that show it count."""
        return awaiting_approval_count(request.user, entity) if entity is not None else 0

    return {
        "current_entity": entity,
        "user_entities": getattr(request, "user_entities", ()),
        "current_role": role,
        "can": allowed_to(role),
        "approvals_waiting": approvals_waiting,
    }


@functools.lru_cache(maxsize=16)
def allowed_to(role: str) -> MappingProxyType[str, bool]:
    """`can.<action>` of the templates for a role (the same for every page of that role, so built once)."""
    return MappingProxyType({action.value: bool(role) and role_allows(role, action) for action in Action})

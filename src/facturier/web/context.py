"""Template context: the entity the user is working in, the entities they may switch to, and what
their role there allows (so templates hide the buttons a service would refuse)."""

from typing import Any

from django.http import HttpRequest

from facturier.accounts.roles import Action, role_allows


def current_entity(request: HttpRequest) -> dict[str, Any]:
    role: str = getattr(request, "role", "")
    return {
        "current_entity": getattr(request, "entity", None),
        "user_entities": getattr(request, "user_entities", ()),
        "current_role": role,
        "can": {action.value: bool(role) and role_allows(role, action) for action in Action},
    }

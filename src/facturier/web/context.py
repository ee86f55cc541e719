"""Template context: the entity the user is working in, and the entities they may switch to."""

from typing import Any

from django.http import HttpRequest


def current_entity(request: HttpRequest) -> dict[str, Any]:
    return {
        "current_entity": getattr(request, "entity", None),
        "user_entities": getattr(request, "user_entities", ()),
        "current_role": getattr(request, "role", None),
    }

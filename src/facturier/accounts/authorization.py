"""Who may do what, for every kind of actor: the one check a service makes before it writes.

Users act through their role in the entity (roles.py), API keys through their scopes; the system
(`None`: jobs, the CLI, the demo loader) and superusers in the Django admin are trusted. On top of
those, one rule holds for everyone: nobody approves a document they created or submitted, so an
approval is always a second pair of eyes.
The web UI and the API both reach this through the services; the UI also asks `is_author` to hide the
button a service would refuse.
"""

from typing import Any, Protocol

from django.utils.translation import gettext as _

from facturier.accounts.models import ApiKey, LegalEntity
from facturier.accounts.roles import Action
from facturier.accounts.selectors import require
from facturier.common.errors import PermissionDenied

# Resources whose documents go through approval, hence have an `<resource>:approve` scope.
APPROVABLE_RESOURCES = ("invoices", "credit_notes")
API_RESOURCES = (
    "customers", "products", "quotes", "orders", "invoices", "credit_notes", "inbox", "bank", "payments",
)  # fmt: skip
API_KEY_SCOPES = (
    frozenset(f"{resource}:{level}" for resource in API_RESOURCES for level in ("read", "write"))
    | frozenset(f"{resource}:approve" for resource in APPROVABLE_RESOURCES)
    | {"*"}
)
# The scope level an API key needs for an action on a document; anything else needs `write`.
# `approve` is its own level: `write` does not imply it, so the key that submits cannot also approve.
_SCOPE_LEVEL = {Action.VIEW: "read", Action.APPROVE: "approve", Action.REJECT: "approve"}


class Subject(Protocol):
    """A document as `authorize` sees it: the API resource it belongs to and who made it."""

    def scope_resource(self) -> str:
        """`invoices`, `credit_notes`...: the resource of the scopes an API key needs to act on it."""
        ...

    def authors(self) -> frozenset[str]:
        """The `actor_ref`s of whoever created or submitted it."""
        ...


def actor_ref(actor: Any | None) -> str | None:
    """A stable identity for comparing actors: `user:<id>` or `apikey:<id>`; None for the system."""
    if isinstance(actor, ApiKey):
        return f"apikey:{actor.pk}"
    if actor is not None and getattr(actor, "is_authenticated", False) and hasattr(actor, "memberships"):
        return f"user:{actor.pk}"
    return None


def user_and_key(actor: Any | None) -> tuple[Any | None, ApiKey | None]:
    """The actor split for a document's `<role>_by` / `<role>_by_key` columns."""
    if isinstance(actor, ApiKey):
        return None, actor
    return (actor if actor_ref(actor) else None), None


def is_author(actor: Any | None, subject: Subject) -> bool:
    ref = actor_ref(actor)
    return ref is not None and ref in subject.authors()


def authorize(actor: Any | None, action: Action, entity: LegalEntity, subject: Subject | None = None) -> None:
    """Raise PermissionDenied unless `actor` may do `action` in `entity` (on `subject`, when given).

    `actor` is a user (their role in the entity decides), an ApiKey (its scopes), or one its caller
    vouches for: None (the system: jobs, the CLI) or a superuser through the Django admin (AdminActor).

    Without a subject an API key was checked by the endpoint that took it (its scope there names the
    resource); with one, the key's scope is checked here, from the subject's resource.
    """
    if isinstance(actor, ApiKey):
        if actor.entity_id != entity.pk:
            raise PermissionDenied(_("This API key does not belong to %(entity)s.") % {"entity": entity.name})
        if subject is not None:
            scope = f"{subject.scope_resource()}:{_SCOPE_LEVEL.get(action, 'write')}"
            if not actor.has_scope(scope):
                raise PermissionDenied(
                    _("This API key lacks the scope '%(scope)s'.") % {"scope": scope},
                    code="insufficient_scope",
                    required_scope=scope,
                )
    elif hasattr(actor, "is_authenticated"):
        require(actor, entity, action)  # a user, by their role; an anonymous visitor has none: refused
    if action == Action.APPROVE and subject is not None and is_author(actor, subject):
        raise PermissionDenied(
            _("You created or submitted this document: someone else must approve it."),
            code="approval_by_submitter",
        )

"""Who may do what, for every kind of actor: the one check every service makes before it writes.

`authorize(actor, action, entity, subject=None, *, resource=None)` is the only permission check of the
services (accounts.actor describes the actors and how the edges make them):
- a user acts through their role in the entity (roles.PERMISSIONS); an anonymous visitor is refused;
- an API key (or, later, an OAuth2 application) acts in its own entity only, and only within its
  scopes. The scope is checked here, never trusted from the endpoint: it is `<resource>:<level>`, the
  level following from the action (view: read, approve/reject: approve, anything else: write) and the
  resource from the subject (`Subject.scope_resource()`), else from `resource=`, else from the action
  (ACTION_RESOURCE). So a key holding `customers:read` cannot create an invoice even through an
  endpoint that forgot its own check. A call that names no resource at all is a programming error;
- a portal customer may only view a document addressed to it (a subject whose `customer_id` is its own);
- the system (jobs, the CLI, the demo loader) and a superuser in the Django admin are trusted.
On top of those, one rule holds for everyone: nobody approves a document they created or submitted,
so an approval is always a second pair of eyes.
The web UI and the API both reach this through the services; the UI also asks `is_author` to hide the
button a service would refuse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor, PortalCustomerActor, ScopedActor, UserActor, as_actor
from facturier.accounts.models import ApiKey, LegalEntity
from facturier.accounts.roles import Action, role_allows
from facturier.common.errors import PermissionDenied

if TYPE_CHECKING:
    from facturier.accounts.actor import Holder

# Resources whose documents go through approval, hence have an `<resource>:approve` scope.
APPROVABLE_RESOURCES = ("invoices", "credit_notes", "inbox", "time_entries", "expenses")
API_RESOURCES = (
    "customers", "products", "quotes", "orders", "invoices", "credit_notes", "inbox", "bank", "payments",
    "contracts", "projects", "construction", "usage", "time_entries", "expenses",
)  # fmt: skip
API_KEY_SCOPES = (
    frozenset(f"{resource}:{level}" for resource in API_RESOURCES for level in ("read", "write"))
    | frozenset(f"{resource}:approve" for resource in APPROVABLE_RESOURCES)
    | {"*"}
)
# The scope level an API key needs for an action on a document; anything else needs `write`.
# `approve` is its own level: `write` does not imply it, so the key that submits cannot also approve.
_SCOPE_LEVEL = {Action.VIEW: "read", Action.APPROVE: "approve", Action.REJECT: "approve"}
# The resource whose scope an action needs when the call names neither a subject nor a resource.
# Absent: actions on several resources (view, edit documents) must say which. `payments` and `entity`
# are no API key scope yet, so only a `*` key passes them.
ACTION_RESOURCE: dict[Action, str] = {
    Action.EDIT_PARTIES: "customers",
    Action.EDIT_CATALOG: "products",
    Action.SUBMIT: "invoices",
    Action.APPROVE: "invoices",
    Action.REJECT: "invoices",
    Action.ISSUE: "invoices",
    Action.CREDIT: "credit_notes",
    Action.RECORD_PAYMENT: "payments",
    Action.MANAGE_ENTITY: "entity",
}


class Subject(Protocol):
    """A document as `authorize` sees it: the API resource it belongs to and who made it.

    It may also have a `customer_id` (the buyer a portal customer must be to view it).
    """

    def scope_resource(self) -> str:
        """`invoices`, `credit_notes`...: the resource of the scopes an API key needs to act on it."""
        ...

    def authors(self) -> frozenset[str]:
        """The `actor_ref`s of whoever created or submitted it."""
        ...


def actor_ref(actor: Holder) -> str | None:
    """A stable identity for comparing actors: `user:<id>` or `apikey:<id>`...; None for the system."""
    return as_actor(actor).ref


def user_and_key(actor: Holder) -> tuple[Any | None, ApiKey | None]:
    """The actor split for a document's `<role>_by` / `<role>_by_key` columns."""
    acting = as_actor(actor)
    return acting.user, acting.api_key


def is_author(actor: Holder, subject: Subject) -> bool:
    ref = actor_ref(actor)
    return ref is not None and ref in subject.authors()


def required_scope(action: Action, subject: Subject | None = None, resource: str | None = None) -> str:
    """The scope a scoped actor needs for `action` on `subject`, or on `resource` when there is none."""
    name = subject.scope_resource() if subject is not None else resource or ACTION_RESOURCE.get(action)
    if name is None:
        raise ValueError(f"authorize({action!r}) needs a subject or a resource= to know which scope to check")
    return f"{name}:{_SCOPE_LEVEL.get(action, 'write')}"


def authorize(
    actor: Actor,
    action: Action,
    entity: LegalEntity,
    subject: Subject | None = None,
    *,
    resource: str | None = None,
) -> None:
    """Raise PermissionDenied unless `actor` may do `action` in `entity` (on `subject`, when given).

    `resource` names the API resource of a subject-less call when the action alone does not (creating a
    quote rather than an invoice, receiving into the inbox); see ACTION_RESOURCE.
    """
    scope = required_scope(action, subject, resource)  # first: a call naming no resource fails for everyone
    acting = as_actor(actor)  # idempotent; callers outside type checking (tests, the shell) may pass a user
    if acting.trusted:
        pass
    elif isinstance(acting, UserActor):
        role = acting.role_in(entity)
        if role is None or not role_allows(role, action):
            raise _role_refusal(action, entity)
    elif isinstance(acting, ScopedActor):
        if acting.belongs_to() != entity.pk:
            raise PermissionDenied(_("This API key does not belong to %(entity)s.") % {"entity": entity.name})
        if not acting.has_scope(scope):
            raise PermissionDenied(
                _("This API key lacks the scope '%(scope)s'.") % {"scope": scope},
                code="insufficient_scope",
                required_scope=scope,
            )
    elif isinstance(acting, PortalCustomerActor):
        if not (
            action == Action.VIEW
            and acting.entity_id == entity.pk
            and subject is not None
            and getattr(subject, "entity_id", None) == entity.pk
            and getattr(subject, "customer_id", None) == acting.customer_id
        ):
            raise PermissionDenied(
                _("A customer may only view the documents addressed to it."), code="portal_own_documents_only"
            )
    else:  # anonymous, or an actor this function does not know: refused
        raise _role_refusal(action, entity)
    if action == Action.APPROVE and subject is not None and is_author(acting, subject):
        raise PermissionDenied(
            _("You created or submitted this document: someone else must approve it."),
            code="approval_by_submitter",
        )


def _role_refusal(action: Action, entity: LegalEntity) -> PermissionDenied:
    return PermissionDenied(
        _("Your role does not allow '%(label)s' in %(name)s.") % {"label": action.label, "name": entity.name}
    )

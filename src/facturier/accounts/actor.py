"""Who is acting: one typed `Actor` for every door into the services.

Every service takes `by: Actor` and asks `accounts.authorization.authorize(by, action, entity, subject)`
whether it may go on. The edges turn what they hold into an actor, once, with `as_actor`:

| edge | holds | actor |
|---|---|---|
| staff web views | `request.user` | `UserActor` (their memberships decide, through their role) |
| REST API | the `ApiKey` of `request.auth` | `ApiKeyActor` (its scopes decide, for its own entity only) |
| jobs, the CLI, the demo loader | nothing | `SYSTEM` (trusted: the operator started it) |
| the Django admin | a superuser | `AdminActor` via `as_admin` (trusted, audited as `admin:<name>`) |
| OAuth2 applications (to come) | an access token | `OAuthAppActor` (scopes, like an API key) |
| the customer portal (to come) | a portal session | `PortalCustomerActor` (reads its own documents only) |

An actor is frozen: nothing downstream can widen it. It says who it is in three ways:
- `ref`: a stable identity to compare actors (`user:<id>`, `apikey:<id>`...; None for the trusted
  system and admin, who are nobody's second pair of eyes and never an author);
- `label`: the name the audit trail records (`user:<username>`, `apikey:<prefix>`, `system`...);
- `user` / `api_key`: the rows a document's `<role>_by` / `<role>_by_key` columns point to.

What each actor may do is decided in one place, `accounts.authorization.authorize`; nothing here
grants anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from facturier.accounts.roles import scopes_grant

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

    from facturier.accounts.models import ApiKey, LegalEntity


@dataclass(frozen=True)
class Actor:
    """Base of every actor. `trusted` actors (system, admin) pass every role and scope check."""

    trusted: ClassVar[bool] = False

    @property
    def ref(self) -> str | None:
        return None

    @property
    def label(self) -> str:
        raise NotImplementedError

    @property
    def user(self) -> Any | None:
        """The user row to record as the author of a change, if a user acted."""
        return None

    @property
    def api_key(self) -> ApiKey | None:
        return None

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class UserActor(Actor):
    """A signed-in user: what they may do in an entity is what their membership's role allows."""

    account: Any  # the User row (django.contrib.auth); its memberships are read when authorizing

    @property
    def ref(self) -> str:
        return f"user:{self.account.pk}"

    @property
    def label(self) -> str:
        return f"user:{self.account.get_username()}"

    @property
    def user(self) -> Any:
        return self.account

    def role_in(self, entity: LegalEntity) -> str | None:
        from facturier.accounts.selectors import role_of

        return role_of(self.account, entity)


@dataclass(frozen=True)
class ScopedActor(Actor):
    """An actor bound to one entity and limited to scopes (`<resource>:read|write|approve`, `*`)."""

    def belongs_to(self) -> Any:
        raise NotImplementedError

    def granted(self) -> frozenset[str]:
        raise NotImplementedError

    def has_scope(self, scope: str) -> bool:
        return scopes_grant(self.granted(), scope)


@dataclass(frozen=True)
class ApiKeyActor(ScopedActor):
    """A REST API client, through an API key of one entity."""

    key: ApiKey

    def belongs_to(self) -> Any:
        return self.key.entity_id

    def granted(self) -> frozenset[str]:
        return frozenset(self.key.scopes)

    @property
    def ref(self) -> str:
        return f"apikey:{self.key.pk}"

    @property
    def label(self) -> str:
        return f"apikey:{self.key.prefix}"

    @property
    def api_key(self) -> ApiKey:
        return self.key


@dataclass(frozen=True)
class OAuthAppActor(ScopedActor):
    """An OAuth2 application acting for one entity with the scopes its token was granted (no door yet)."""

    application_id: str
    entity_id: Any
    scopes: frozenset[str] = field(default_factory=frozenset)

    def belongs_to(self) -> Any:
        return self.entity_id

    def granted(self) -> frozenset[str]:
        return self.scopes

    @property
    def ref(self) -> str:
        return f"oauth:{self.application_id}"

    @property
    def label(self) -> str:
        return f"oauth:{self.application_id}"


@dataclass(frozen=True)
class PortalCustomerActor(Actor):
    """A buyer in the customer portal: may read the documents addressed to it, nothing else (no door yet)."""

    customer_id: Any
    entity_id: Any

    @property
    def ref(self) -> str:
        return f"customer:{self.customer_id}"

    @property
    def label(self) -> str:
        return f"customer:{self.customer_id}"


@dataclass(frozen=True)
class SystemActor(Actor):
    """The installation itself: jobs, the CLI, the demo loader. Trusted; audited as `system`."""

    trusted: ClassVar[bool] = True

    @property
    def label(self) -> str:
        return "system"


@dataclass(frozen=True)
class AdminActor(Actor):
    """A superuser in the Django admin (not a member of the entity). Trusted; audited as `admin:<name>`."""

    trusted: ClassVar[bool] = True
    username: str

    @property
    def label(self) -> str:
        return f"admin:{self.username}"


@dataclass(frozen=True)
class AnonymousActor(Actor):
    """A visitor who has not signed in: refused everything."""

    @property
    def label(self) -> str:
        return "anonymous"


SYSTEM = SystemActor()
ANONYMOUS = AnonymousActor()

if TYPE_CHECKING:
    # What an edge holds before it becomes an actor: a request's user, an API key, None (the system).
    Holder = Actor | AbstractBaseUser | AnonymousUser | ApiKey | None


def as_actor(holder: Holder) -> Actor:
    """The actor for what an edge holds: an Actor (as is), a user, an ApiKey, or None (the system).

    Idempotent. A superuser signed in to the staff UI is a `UserActor` like anyone else: only the Django
    admin, which passes through `as_admin`, acts as a trusted superuser.
    """
    from facturier.accounts.models import ApiKey

    if isinstance(holder, Actor):
        return holder
    if holder is None:
        return SYSTEM
    if isinstance(holder, ApiKey):
        return ApiKeyActor(holder)
    if hasattr(holder, "is_authenticated") and hasattr(holder, "get_username"):
        return UserActor(holder) if holder.is_authenticated else ANONYMOUS
    raise TypeError(f"not an actor: {holder!r}")


def as_admin(superuser: Any) -> AdminActor:
    """The actor of the Django admin; the admin lets only superusers in (common.admin.SuperuserAdmin)."""
    if not getattr(superuser, "is_superuser", False):
        raise TypeError("only a superuser acts through the Django admin")
    return AdminActor(superuser.get_username())

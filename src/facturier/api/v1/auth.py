"""API-key authentication (`Authorization: Bearer fk_...`) and per-resource scopes.

A key belongs to one legal entity: every request authenticated with it sees that entity's rows only.
Only the SHA-256 digest of a key is stored, so the lookup is by digest; revoked keys are refused.

The scope an operation needs is checked here, with the key, before django-ninja reads and validates
the body: a key without the scope learns nothing about what a valid body looks like (403, not 422).
It follows from the URL: the first path segment names the resource, the method reads or writes,
`/approve` and `/reject` need the approve scope. The views still call `require_scope` for the scopes
the URL does not show (converting a quote to an invoice needs `invoices:write` too).
"""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from facturier.accounts import login_guard
from facturier.accounts.authorization import API_KEY_SCOPES, API_RESOURCES
from facturier.accounts.models import ApiKey, LegalEntity
from facturier.common.errors import BusinessError, PermissionDenied

RESOURCES = API_RESOURCES
# Writing `last_used_at` on every request would turn each read into a write; once a minute is enough
# to tell which keys are alive.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class Unauthenticated(BusinessError):
    """No key, an unknown key or a revoked key: the client must authenticate again."""

    code = "unauthenticated"
    status = 401


def key_from_request(request: HttpRequest) -> ApiKey | None:
    """The active API key named by the request's bearer header, or None. Raises for a revoked key."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    key = ApiKey.objects.select_related("entity").filter(digest=ApiKey.digest_of(token.strip())).first()
    if key is None:
        return None
    if key.revoked_at is not None:
        raise Unauthenticated(_("This API key has been revoked."), code="api_key_revoked")
    return key


# First path segment under /api/v1/ -> the resource whose scope guards it.
RESOURCE_OF_SEGMENT = {resource: resource for resource in RESOURCES} | {"suppliers": "inbox"}
RESOURCE_OF_SEGMENT |= {"bank-accounts": "bank", "bank-statements": "bank", "bank-lines": "bank"}
RESOURCE_OF_SEGMENT |= {"usage-events": "usage", "construction-contracts": "construction"}
RESOURCE_OF_SEGMENT |= {"time-entries": "time_entries"}
RESOURCE_OF_SEGMENT |= {"price-lists": "products", "promotions": "products"}  # pricing rules: the catalogue
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
APPROVAL_ACTIONS = frozenset({"approve", "reject"})


# Paths serving several resources: any one of these scopes lets the request in (the view then shows
# and decides only what the key's scopes cover); the first is the one named when none is held.
ANY_OF_SCOPES = {"approvals": ("invoices:approve", "credit_notes:approve", "inbox:approve")}


def check_any_scope(key: ApiKey, path: str) -> None:
    """Refuse (403 before the body is read) a key holding none of the scopes a multi-resource path needs."""
    segments = [segment for segment in path.split("/api/v1/", 1)[-1].split("/") if segment]
    scopes = ANY_OF_SCOPES.get(segments[0]) if segments else None
    if scopes and not any(key.has_scope(scope) for scope in scopes):
        check_scope(key, scopes[0])


def scope_of(method: str, path: str) -> str | None:
    """The scope an API request needs, from its method and path; None for a path no resource owns."""
    segments = [segment for segment in path.split("/api/v1/", 1)[-1].split("/") if segment]
    resource = RESOURCE_OF_SEGMENT.get(segments[0]) if segments else None
    if resource is None:
        return None
    if method.upper() in READ_METHODS:
        return f"{resource}:read"
    if resource == "invoices" and segments[-1] == "credit-note":
        return "credit_notes:write"
    if segments[-1] in APPROVAL_ACTIONS and len(segments) == 3:
        scope = f"{resource}:approve"
        return scope if scope in API_KEY_SCOPES else f"{resource}:write"
    return f"{resource}:write"


def check_scope(key: ApiKey, scope: str) -> None:
    """Refuse with 403 `insufficient_scope` unless the key holds `scope`."""
    if scope not in API_KEY_SCOPES or scope == "*":
        raise ValueError(f"unknown scope {scope!r}")
    if not key.has_scope(scope):
        raise PermissionDenied(
            _("This API key lacks the scope '%(scope)s'.") % {"scope": scope},
            code="insufficient_scope",
            required_scope=scope,
        )


class ApiKeyAuth(HttpBearer):
    """django-ninja security scheme: puts the ApiKey in `request.auth`."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get("Authorization"):
            # an address that sent too many unknown keys gets 429 before any key is looked up
            login_guard.check_api_address(request)
        key = key_from_request(request)
        if key is None:
            if request.headers.get("Authorization"):
                login_guard.api_key_refused(request)
            message = (
                _("Invalid API key.")
                if request.headers.get("Authorization")
                else _("Send an API key in the header 'Authorization: Bearer <key>'.")
            )
            raise Unauthenticated(message)
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        scope = scope_of(request.method or "GET", request.path)
        if scope is not None:
            check_scope(key, scope)
        check_any_scope(key, request.path)
        return key

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - __call__ does it
        return key_from_request(request)


def require_scope(request: HttpRequest, scope: str) -> ApiKey:
    """Return the request's API key if it holds `scope` (`<resource>:read|write|approve`), else refuse with 403.

    A write or approve scope implies the read scope of the same resource; write never implies approve.
    """
    key = getattr(request, "auth", None)
    if not isinstance(key, ApiKey):
        key = ApiKeyAuth()(request)
    check_scope(key, scope)
    return key


def entity_of(request: HttpRequest) -> LegalEntity:
    """The legal entity whose data the request may see: the one its API key belongs to."""
    key = request.auth  # type: ignore[attr-defined]
    entity: LegalEntity = key.entity
    return entity

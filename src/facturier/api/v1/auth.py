"""API-key authentication (`Authorization: Bearer fk_...`) and per-resource scopes.

A key belongs to one legal entity: every request authenticated with it sees that entity's rows only.
Only the SHA-256 digest of a key is stored, so the lookup is by digest; revoked keys are refused.
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
    if scope not in API_KEY_SCOPES or scope == "*":
        raise ValueError(f"unknown scope {scope!r}")
    if not key.has_scope(scope):
        raise PermissionDenied(
            _("This API key lacks the scope '%(scope)s'.") % {"scope": scope},
            code="insufficient_scope",
            required_scope=scope,
        )
    return key


def entity_of(request: HttpRequest) -> LegalEntity:
    """The legal entity whose data the request may see: the one its API key belongs to."""
    key = request.auth  # type: ignore[attr-defined]
    entity: LegalEntity = key.entity
    return entity

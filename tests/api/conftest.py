"""API test helpers: an API key of the test entity and a client that sends it."""

import json

import pytest
from django.test import Client

from facturier.accounts.models import ApiKey
from facturier.api.v1.auth import RESOURCES

ALL_SCOPES = [f"{resource}:write" for resource in RESOURCES]
APPROVE_SCOPES = ["invoices:approve", "credit_notes:approve"]


def make_key(entity, scopes, name="test key"):
    """Create a key directly (the service's scope list is the accounts app's business)."""
    import secrets

    prefix = secrets.token_hex(4)
    secret = f"fk_{prefix}_{secrets.token_urlsafe(16)}"
    key = ApiKey.objects.create(entity=entity, name=name, prefix=prefix, digest=ApiKey.digest_of(secret),
                                scopes=list(scopes))  # fmt: skip
    return key, secret


class ApiClient:
    """Django's test client speaking JSON with a bearer key."""

    def __init__(self, secret: str | None, key: ApiKey | None = None):
        self.client = Client()
        self.secret = secret
        self.key = key

    def _headers(self, headers):
        sent = {"Authorization": f"Bearer {self.secret}"} if self.secret else {}
        sent.update(headers or {})
        return sent

    def get(self, path, params=None, headers=None):
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path, body=None, headers=None):
        data = body if isinstance(body, str | bytes) else json.dumps(body or {})
        return self.client.post(path, data, content_type="application/json", headers=self._headers(headers))

    def patch(self, path, body, headers=None):
        return self.client.patch(path, json.dumps(body), content_type="application/json",
                                 headers=self._headers(headers))  # fmt: skip

    def delete(self, path, headers=None):
        return self.client.delete(path, headers=self._headers(headers))


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ALL_SCOPES)
    return ApiClient(secret, key)


@pytest.fixture
def approver_api(entity):
    """A second key, of the approving system: it may approve and reject, what `api` (write scopes) may not."""
    key, secret = make_key(entity, APPROVE_SCOPES, name="approval workflow")
    return ApiClient(secret, key)


@pytest.fixture
def api_key(entity):
    return make_key(entity, ALL_SCOPES)


def assert_problem(response, status, code, field=None):
    """The response is RFC 9457 problem+json with this status, code and (if given) field."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code, body
    assert body["type"].endswith(code)
    assert body["title"]
    assert body["detail"]
    if field is not None:
        assert body["field"] == field, body
    return body

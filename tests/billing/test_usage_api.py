"""`/api/v1/usage-events`: scopes, per-event outcomes, batch bounds, listing with a cursor."""

import datetime as dt

import pytest
import time_machine

from facturier.billing.usage import metric_create
from tests.api.conftest import ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db
URL = "/api/v1/usage-events"


@pytest.fixture
def usage_api(entity, customer, owner):
    metric_create(entity=entity, by=owner, code="gb", name="Gigabytes")
    key, secret = make_key(entity, ["usage:write"])
    return ApiClient(secret, key)


def _event(event_id, quantity="1.5", **extra):
    return {"event_id": event_id, "metric": "gb", "customer": "C001", "quantity": quantity,
            "occurred_at": "2026-01-31T23:30:00Z", **extra}  # fmt: skip


@time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False)
def test_a_batch_answers_what_happened_to_each_event(usage_api):
    body = {"events": [_event("a"), _event("b", "-2"), _event("c", metric="x"), _event("a")]}
    response = usage_api.post(URL, body)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["accepted"] == 1
    assert data["duplicates"] == ["a"]
    assert [(r["index"], r["event_id"], r["code"]) for r in data["refused"]] == [
        (1, "b", "negative_quantity"), (2, "c", "unknown_metric")]  # fmt: skip
    again = usage_api.post(URL, body).json()
    assert (again["accepted"], again["duplicates"]) == (0, ["a", "a"])


def test_a_key_without_the_usage_scope_is_refused_before_the_body_is_read(entity, usage_api):
    _key, secret = make_key(entity, ["invoices:write"])
    assert_problem(ApiClient(secret).post(URL, {"events": "nonsense"}), 403, "insufficient_scope")
    _key, secret = make_key(entity, ["usage:read"])
    assert_problem(ApiClient(secret).post(URL, {"events": []}), 403, "insufficient_scope")


def test_a_batch_too_large_or_malformed_is_refused_whole(usage_api):
    assert usage_api.post(URL, {"events": [_event(f"e{i}") for i in range(1001)]}).status_code == 422
    assert usage_api.post(URL, {"events": [_event("a", occurred_at="yesterday")]}).status_code == 422
    assert usage_api.post(URL, "{not json").status_code in (400, 422)
    assert usage_api.post(URL, {"events": [_event("nul\u0000byte")]}).status_code == 422
    assert usage_api.post(URL, {"events": [_event("a", quantity="NaN")]}).status_code == 422
    assert usage_api.post(URL, {"events": [_event("a", quantity="1e999999")]}).status_code in (200, 422)


@time_machine.travel(dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC), tick=False)
def test_the_list_walks_every_event_once_with_its_cursor(entity, usage_api):
    usage_api.post(URL, {"events": [_event(f"e{i}") for i in range(5)]})
    _key, secret = make_key(entity, ["usage:read"])
    reader = ApiClient(secret)
    seen, url = [], URL + "?limit=2"
    while url:
        page = reader.get(url).json()
        seen += [item["event_id"] for item in page["items"]]
        url = page["next"]
    assert sorted(seen) == [f"e{i}" for i in range(5)]
    assert reader.get(URL, {"metric": "other"}).json()["items"] == []

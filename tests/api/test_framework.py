import datetime as dt
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.api.models import IdempotencyRecord
from facturier.api.v1.pagination import decode_cursor, encode_cursor
from facturier.audit.models import AuditEvent
from facturier.common.errors import ValidationFailed
from facturier.parties.models import Customer
from tests.api.conftest import assert_problem

NEW_CUSTOMER = {"code": "C100", "name": "Nouveau Client", "address_line1": "1 rue A", "postcode": "75001",
                "city": "Paris", "siren": "443061841"}  # fmt: skip


def test_openapi_document_is_valid_json_listing_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/products", "/api/v1/invoices",
        "/api/v1/invoices/{document_id}/issue", "/api/v1/invoices/{document_id}/credit-note",
        "/api/v1/quotes/{document_id}/convert", "/api/v1/orders", "/api/v1/credit_notes",
    ):  # fmt: skip
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"]["scheme"] == "bearer"
    issue = schema["paths"]["/api/v1/invoices/{document_id}/issue"]["post"]
    assert "application/problem+json" in issue["responses"]["default"]["content"]
    assert "code" in schema["components"]["schemas"]["Problem"]["required"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in issue["parameters"]]


def test_docs_page_is_served_without_any_cdn(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert b"/api/v1/openapi.json" in response.content
    assert b"cdn" not in response.content.lower()


def test_an_idempotent_retry_replays_the_first_response_and_creates_once(api):
    headers = {"Idempotency-Key": "create-c100"}
    first = api.post("/api/v1/customers", NEW_CUSTOMER, headers=headers)
    again = api.post("/api/v1/customers", NEW_CUSTOMER, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(code="C100").count() == 1
    assert AuditEvent.objects.filter(action="customer.created").count() == 1


def test_reusing_an_idempotency_key_for_another_body_is_refused(api):
    headers = {"Idempotency-Key": "k1"}
    api.post("/api/v1/customers", NEW_CUSTOMER, headers=headers)
    other = {**NEW_CUSTOMER, "code": "C101"}
    assert_problem(api.post("/api/v1/customers", other, headers=headers), 422, "idempotency_key_reused",
                   field="Idempotency-Key")  # fmt: skip
    assert not Customer.objects.filter(code="C101").exists()


def test_idempotency_keys_belong_to_one_api_key(api, entity):
    from tests.api.conftest import ALL_SCOPES, ApiClient, make_key

    _key, secret = make_key(entity, ALL_SCOPES, name="second")
    api.post("/api/v1/customers", NEW_CUSTOMER, headers={"Idempotency-Key": "same"})
    response = ApiClient(secret).post("/api/v1/customers", {**NEW_CUSTOMER, "code": "C102"},
                                      headers={"Idempotency-Key": "same"})  # fmt: skip
    assert response.status_code == 201
    assert IdempotencyRecord.objects.filter(key="same").count() == 2


def test_a_refused_request_is_replayed_as_refused_without_writing(api):
    bad = {**NEW_CUSTOMER, "siren": "443061842"}
    headers = {"Idempotency-Key": "bad-one"}
    assert_problem(api.post("/api/v1/customers", bad, headers=headers), 422, "invalid_siren", field="siren")
    replay = api.post("/api/v1/customers", bad, headers=headers)
    assert_problem(replay, 422, "invalid_siren", field="siren")
    assert not Customer.objects.filter(code="C100").exists()


def test_schema_validation_errors_are_problems_naming_the_field(api):
    response = api.post("/api/v1/customers", {"name": "Sans code"})
    body = assert_problem(response, 422, "validation_error")
    assert {error["field"] for error in body["errors"]} >= {"code", "address_line1", "postcode", "city"}
    response = api.post("/api/v1/customers", {**NEW_CUSTOMER, "colour": "red"})
    assert_problem(response, 422, "validation_error", field="colour")
    assert_problem(api.post("/api/v1/customers", "{not json"), 400, "bad_request")
    assert not Customer.objects.filter(code="C100").exists()


def test_an_unknown_id_is_a_404_problem(api):
    assert_problem(
        api.get("/api/v1/customers/6d3d9a8e-0000-4000-8000-000000000000"), 404, "customer_not_found"
    )
    assert_problem(api.get("/api/v1/customers/not-a-uuid"), 404, "customer_not_found")


def test_an_unexpected_error_is_a_500_problem_without_internals(api, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("facturier.parties.selectors.customer_list", boom)
    response = api.get("/api/v1/customers")
    body = assert_problem(response, 500, "internal_error")
    assert "secret internals" not in json.dumps(body)


def test_pagination_walks_every_row_once_in_a_stable_order(api, entity):
    # given 23 customers
    for index in range(23):
        Customer.objects.create(entity=entity, code=f"P{index:02d}", name=f"Client {index}", address_line1="a",
                                postcode="1", city="c")  # fmt: skip
    # when a client follows the `next` links 5 by 5
    seen, url, pages = [], "/api/v1/customers?limit=5", 0
    while url:
        body = api.get(url).json()
        seen += [item["code"] for item in body["items"]]
        url, pages = body["next"], pages + 1
        assert pages <= 10
    # then it saw every customer exactly once, newest first
    assert pages == 5
    assert len(seen) == len(set(seen)) == 23
    assert seen == [f"P{index:02d}" for index in reversed(range(23))]


def test_pagination_keeps_the_filters_in_the_next_link(api, entity):
    for index in range(4):
        Customer.objects.create(entity=entity, code=f"L{index}", name=f"Lyonnais {index}", address_line1="a",
                                postcode="1", city="Lyon")  # fmt: skip
    Customer.objects.create(
        entity=entity, code="X", name="Ailleurs", address_line1="a", postcode="1", city="Nice"
    )
    first = api.get("/api/v1/customers", {"search": "lyonnais", "limit": 3}).json()
    assert "search=lyonnais" in first["next"]
    second = api.get(first["next"]).json()
    assert len(first["items"]) + len(second["items"]) == 4
    assert second["next"] is None


def test_a_tampered_cursor_or_a_bad_limit_is_a_problem(api):
    assert_problem(
        api.get("/api/v1/customers", {"cursor": "garbage!"}), 422, "invalid_cursor", field="cursor"
    )
    assert_problem(api.get("/api/v1/customers", {"limit": 0}), 422, "invalid_limit", field="limit")
    assert_problem(api.get("/api/v1/customers", {"limit": "many"}), 422, "validation_error", field="limit")


def test_cursors_round_trip():
    import datetime as dt
    import uuid

    moment, pk = dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC), uuid.uuid4()
    assert decode_cursor(encode_cursor(moment, pk)) == (moment, pk)
    with pytest.raises(ValidationFailed):
        decode_cursor(encode_cursor(moment.replace(tzinfo=None), pk))


def test_an_action_retried_with_its_idempotency_key_is_replayed_not_refused(api, draft_invoice):
    # given a submit that succeeded but whose response the client never saw
    headers = {"Idempotency-Key": "submit-once"}
    first = api.post(f"/api/v1/invoices/{draft_invoice.pk}/submit", headers=headers)
    # when the client retries it with the same key
    retry = api.post(f"/api/v1/invoices/{draft_invoice.pk}/submit", headers=headers)
    # then it gets the same success, while a new attempt without the key is a conflict
    assert first.status_code == retry.status_code == 200
    assert retry.json() == first.json()
    assert_problem(api.post(f"/api/v1/invoices/{draft_invoice.pk}/submit"), 409, "illegal_transition")
    assert AuditEvent.objects.filter(action="invoice.submitted").count() == 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.integers(0, 17), limit=st.integers(1, 6), ties=st.integers(1, 4))
def test_any_walk_through_the_pages_sees_each_row_exactly_once(api, entity, count, limit, ties):
    # given `count` customers sharing only `ties` distinct creation instants (the id breaks the ties)
    moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    created = [
        Customer.objects.create(
            entity=entity, code=f"H{index}", name="Client", address_line1="a", postcode="1", city="c"
        )  # fmt: skip
        for index in range(count)
    ]
    for index, customer in enumerate(created):
        Customer.objects.filter(pk=customer.pk).update(created_at=moment + dt.timedelta(seconds=index % ties))
    # when a client follows the `next` links
    seen, url = [], f"/api/v1/customers?limit={limit}"
    while url:
        body = api.get(url).json()
        assert len(body["items"]) <= limit
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    # then it saw every row once, in the order of (created_at, id) descending
    expected = (
        Customer.objects.filter(entity=entity).order_by("-created_at", "-id").values_list("id", flat=True)
    )
    assert seen == [str(pk) for pk in expected]
    Customer.objects.filter(code__startswith="H").delete()


def test_old_idempotency_records_are_purged_and_recent_ones_kept(api):
    import io

    from django.core.management import call_command
    from django.utils import timezone

    api.post("/api/v1/customers", NEW_CUSTOMER, headers={"Idempotency-Key": "old"})
    api.post("/api/v1/customers", {**NEW_CUSTOMER, "code": "C101"}, headers={"Idempotency-Key": "recent"})
    IdempotencyRecord.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=25))
    out = io.StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert "1 idempotency record(s) purged" in out.getvalue()
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_a_value_the_database_refuses_is_a_422_problem_not_a_crash(api, monkeypatch):
    from django.db import DataError

    def refuse(**kwargs):
        raise DataError("value too long for type character varying(100)")

    monkeypatch.setattr("facturier.parties.services.customer_create", refuse)
    response = api.post("/api/v1/customers", NEW_CUSTOMER)
    body = assert_problem(response, 422, "value_out_of_range")
    assert "varying" not in body["detail"]

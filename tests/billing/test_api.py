"""`/api/v1/contracts`: create with items, read, list, change mid-period, terminate; scopes enforced."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import Contract, ContractChange
from tests.api.conftest import ApiClient, make_key

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def client(entity):
    key, secret = make_key(entity, ["contracts:write", "customers:read"])
    return ApiClient(secret, key)


def _create(client, customer, **extra):
    body = {
        "customer": str(customer.pk), "reference": "SAAS-1", "start_date": "2026-01-01",
        "items": [
            {"description": "Seats", "quantity": "5", "unit_price": "12.50"},
            {"description": "Storage", "pricing_model": "tiered", "quantity": "150", "tiers": [
                {"up_to": 100, "unit_price": "0.10"}, {"up_to": None, "unit_price": "0.05"}]},
            {"description": "Setup", "pricing_model": "flat", "unit_price": "300"},
        ],
        **extra,
    }  # fmt: skip
    return client.post("/api/v1/contracts", body)


def test_a_contract_is_created_read_and_listed(client, customer):
    response = _create(client, customer, term_months=12, notice_days=30, notify_days=7,
                       proration_policy="immediate", minimum_amount="50.00")  # fmt: skip
    assert response.status_code == 201, response.content
    created = response.json()
    assert [i["pricing_model"] for i in created["items"]] == ["per_unit", "tiered", "flat"]
    assert (created["term_months"], created["notify_days"], created["proration_policy"]) == (
        12,
        7,
        "immediate",
    )
    assert client.get(f"/api/v1/contracts/{created['id']}").json()["reference"] == "SAAS-1"
    assert [c["reference"] for c in client.get("/api/v1/contracts").json()["items"]] == ["SAAS-1"]


def test_an_item_changes_mid_period_and_the_contract_is_terminated(client, customer):
    contract = _create(client, customer).json()
    seats = contract["items"][0]["id"]
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=PARIS), tick=False):
        response = client.post(f"/api/v1/contracts/{contract['id']}/changes", {
            "effective_date": "2026-03-15", "item": seats, "kind": "quantity",
            "new": {"description": "Seats", "quantity": "8", "unit_price": "12.50"}})  # fmt: skip
        assert response.status_code == 201, response.content
        assert ContractChange.objects.get().kind == "quantity"
        items = response.json()["items"]
        assert [(i["quantity"], i["end_date"]) for i in items if i["description"] == "Seats"] == [
            ("5.0000", "2026-03-15"), ("8.0000", None)]  # fmt: skip
        response = client.post(f"/api/v1/contracts/{contract['id']}/terminate", {"end_date": "2026-04-01"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "terminated"
    # terminating twice: a conflict with its code
    again = client.post(f"/api/v1/contracts/{contract['id']}/terminate", {"end_date": "2026-04-01"})
    assert (again.status_code, again.json()["code"]) == (409, "contract_terminated")


def test_a_read_only_key_cannot_create_and_bad_pricing_is_refused(entity, client, customer):
    _key, secret = make_key(entity, ["contracts:read"])
    reader = ApiClient(secret)
    assert _create(reader, customer).status_code == 403
    response = _create(
        client, customer, items=[{"description": "Bad", "pricing_model": "tiered", "tiers": []}]
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_tiers")
    assert not Contract.objects.exists()

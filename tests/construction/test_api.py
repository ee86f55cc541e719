"""GET/POST /api/v1/construction-contracts and their situations, with the `construction` scope."""

import datetime as dt

import pytest
import time_machine

from tests.api.conftest import ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db
BODY = {
    "reference": "M-API", "name": "Rénovation de la halle", "retention_rate": "5",
    "lines": [
        {"description": "Démolition", "quantity": "1", "unit_price": "12000"},
        {"description": "Charpente", "quantity": "250", "unit": "MTK", "unit_price": "87.40"},
    ],
}  # fmt: skip


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ["construction:write", "invoices:write"])
    return ApiClient(secret, key)


@time_machine.travel(dt.datetime(2026, 5, 29, 9, tzinfo=dt.UTC), tick=False)
def test_create_a_contract_and_invoice_situations(api, customer):
    created = api.post("/api/v1/construction-contracts", {**BODY, "customer": str(customer.pk)})
    assert created.status_code == 201, created.content
    contract = created.json()
    assert [line["position"] for line in contract["lines"]] == [1, 2]
    assert contract["status"] == "open"
    first = api.post(f"/api/v1/construction-contracts/{contract['id']}/situations",
                     {"progress": [{"line": 1, "percent": "100"}, {"line": 2, "quantity_done": "100"}]})  # fmt: skip
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["amount"] == "20740.00"
    assert body["invoice_number"]
    assert body["lines"][1]["cumulative"] == "8740.00"
    assert body["lines"][1]["previous"] == "0.00"
    listed = api.get(f"/api/v1/construction-contracts/{contract['id']}/situations").json()["items"]
    assert [s["number"] for s in listed] == [1]
    assert api.get("/api/v1/construction-contracts").json()["items"][0]["reference"] == "M-API"
    down = api.post(f"/api/v1/construction-contracts/{contract['id']}/situations",
                    {"progress": [{"line": 2, "percent": "10"}]})  # fmt: skip
    assert_problem(down, 422, "progress_decreasing", "progress[1]")
    above = api.post(f"/api/v1/construction-contracts/{contract['id']}/situations",
                     {"progress": [{"line": 2, "quantity_done": "251"}]})  # fmt: skip
    assert_problem(above, 422, "progress_above_total", "progress[1]")


def test_the_construction_scope_is_needed(entity, customer):
    key, secret = make_key(entity, ["invoices:write"])
    response = ApiClient(secret, key).post(
        "/api/v1/construction-contracts", {**BODY, "customer": str(customer.pk)}
    )
    assert response.status_code == 403
    key, secret = make_key(entity, ["construction:read"], name="reader")
    assert ApiClient(secret, key).get("/api/v1/construction-contracts").status_code == 200

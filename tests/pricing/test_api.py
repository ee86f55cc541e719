"""`/api/v1/price-lists` and `/api/v1/promotions`, and the pricing seen on document lines through the API."""

import datetime as dt

import pytest
import time_machine

from facturier.audit.models import AuditEvent
from facturier.pricing.models import PriceList
from facturier.pricing.services import segment_save
from tests.api.conftest import ALL_SCOPES, ApiClient, assert_problem, make_key

MID_2026 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ALL_SCOPES)
    return ApiClient(secret, key)


@pytest.mark.django_db
def test_a_price_list_is_created_with_its_breaks_and_prices_the_lines(api, entity, customer, product):
    # when a customer's negotiated prices are sent
    created = api.post("/api/v1/price-lists", {
        "name": "Martin 2026", "customer": str(customer.pk), "valid_from": "2026-01-01", "valid_until": "2026-12-31",
        "items": [{"product": str(product.pk), "unit_price": "820"},
                  {"product": str(product.pk), "min_quantity": "5", "unit_price": "790.5"}],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["currency"], body["customer"], body["segment"]) == ("EUR", str(customer.pk), None)
    assert [(i["min_quantity"], i["unit_price"]) for i in body["items"]] == [("0.0000", "820.000000"),
                                                                           ("5.0000", "790.500000")]  # fmt: skip
    # then an invoice line naming the product takes the break reached, and says so
    with time_machine.travel(MID_2026, tick=False):
        invoice = api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                                "lines": [{"product_code": "CONSEIL-J", "quantity": "5"}]})  # fmt: skip
    assert invoice.status_code == 201, invoice.content
    line = invoice.json()["lines"][0]
    assert (line["unit_price"], line["price_source"], line["price_rule"]) == (
        "790.500000",
        "price_list",
        "Liste de prix Martin 2026 (≥ 5)",
    )
    assert AuditEvent.objects.filter(action="price_list.item_set").count() == 2


@pytest.mark.django_db
def test_a_price_list_is_for_a_customer_or_a_segment_not_both(api, entity, customer, owner):
    segment = segment_save(entity=entity, by=owner, code="S", name="S")
    both = api.post(
        "/api/v1/price-lists", {"name": "X", "customer": str(customer.pk), "segment": str(segment.pk)}
    )
    neither = api.post("/api/v1/price-lists", {"name": "X"})

    assert_problem(both, 422, "price_list_target", field="customer")
    assert_problem(neither, 422, "price_list_target", field="customer")
    assert not PriceList.objects.exists()


@pytest.mark.django_db
def test_a_bad_item_leaves_no_half_written_list(api, customer, product):
    response = api.post("/api/v1/price-lists", {"name": "X", "customer": str(customer.pk),
                                                "items": [{"product": str(customer.pk), "unit_price": "1"}]})  # fmt: skip

    assert_problem(response, 422, "unknown_product", field="items[0].product")
    assert not PriceList.objects.exists()


@pytest.mark.django_db
def test_promotions_are_created_listed_and_changed(api, product):
    created = api.post("/api/v1/promotions", {"name": "Été", "code": "ETE26", "percent": "12.5",
                                              "product": str(product.pk), "valid_from": "2026-07-01",
                                              "valid_until": "2026-08-31"})  # fmt: skip
    assert created.status_code == 201, created.content
    promotion_id = created.json()["id"]
    changed = api.patch(f"/api/v1/promotions/{promotion_id}", {"percent": "15"})

    assert changed.json()["percent"] == "15.00"
    assert [p["code"] for p in api.get("/api/v1/promotions").json()["items"]] == ["ETE26"]
    bad = api.patch(f"/api/v1/promotions/{promotion_id}", {"valid_until": "2026-06-30"})
    assert_problem(bad, 422, "invalid_period", field="valid_until")


@pytest.mark.django_db
def test_a_promotion_code_on_an_invoice_is_checked_and_applied(api, customer, product):
    api.post("/api/v1/promotions", {"name": "Bienvenue", "code": "BIENVENUE", "percent": "10",
                                    "valid_from": "2026-06-01", "valid_until": "2026-06-30"})  # fmt: skip
    body = {"customer": str(customer.pk), "lines": [{"product": str(product.pk)}]}
    with time_machine.travel(MID_2026, tick=False):
        unknown = api.post("/api/v1/invoices", {**body, "promotion_code": "HELLO"})
        applied = api.post("/api/v1/invoices", {**body, "promotion_code": "bienvenue"})
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC), tick=False):
        expired = api.post("/api/v1/invoices", {**body, "promotion_code": "BIENVENUE"})

    assert_problem(unknown, 422, "promotion_code_unknown", field="promotion_code")
    assert_problem(expired, 422, "promotion_code_expired", field="promotion_code")
    assert applied.status_code == 201, applied.content
    line = applied.json()["lines"][0]
    assert (applied.json()["promotion_code"], line["discount_percent"], line["discount_rule"]) == (
        "bienvenue",
        "10.00",
        "Promotion Bienvenue",
    )


@pytest.mark.django_db
def test_pricing_needs_the_products_scopes_and_stays_in_its_company(api, entity, customer, outsider):
    from facturier.accounts.models import LegalEntity

    reader_key, reader_secret = make_key(entity, ["customers:read"])
    reader = ApiClient(reader_secret, reader_key)
    assert_problem(reader.get("/api/v1/price-lists"), 403, "insufficient_scope")
    created = api.post("/api/v1/price-lists", {"name": "Martin", "customer": str(customer.pk)})
    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    other_key, other_secret = make_key(other, ["products:write"])
    stranger = ApiClient(other_secret, other_key)

    assert stranger.get("/api/v1/price-lists").json()["items"] == []
    assert stranger.get(f"/api/v1/price-lists/{created.json()['id']}").status_code == 404
    refused = stranger.post("/api/v1/price-lists", {"name": "X", "customer": str(customer.pk)})
    assert_problem(refused, 422, "unknown_customer", field="customer")

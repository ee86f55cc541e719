"""The OpenAPI schema states the bounds the server enforces, and the server enforces exactly them.

Pydantic's lax mode used to read `date_to=0` as 1970-01-01 and `"1e3"` as 1000 although the schema
allows neither; blank names, `limit=0` and `exchange_rate: "0"` reached the services. And a key
without the scope learnt from a 422 what a valid body looks like: the scope is now checked first.
"""

import uuid

import pytest
from django.test import Client

from facturier.api.v1.api import api as ninja_api
from facturier.invoicing.models import Document
from facturier.parties.models import Customer
from tests.api.conftest import ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db


def openapi():
    return ninja_api.get_openapi_schema(path_prefix="/api/v1/")


def invoice_body(customer, **extra):
    line = {"description": "Conseil", "quantity": "1", "unit_price": "100.00"}
    return {"customer": str(customer.pk), "lines": [line], **extra}


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-1-5", "05/01/2026", "2026-01-05T10:00:00"])
def test_a_date_filter_that_is_not_yyyy_mm_dd_is_refused_naming_the_field(api, value):
    # when a client filters with something that is not an ISO date (lax parsing read 0 as 1970-01-01)
    response = api.get("/api/v1/invoices", {"date_to": value}, headers={"Accept-Language": "en"})
    # then it is a 422 problem naming the parameter, in the client's language
    body = assert_problem(response, 422, "validation_error", field="date_to")
    assert body["errors"][0]["message"] == "Send a date as YYYY-MM-DD."


def test_an_iso_date_filter_is_served(api):
    response = api.get("/api/v1/invoices", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert response.status_code == 200, response.content


def test_a_body_date_given_as_a_number_is_refused(api, customer):
    response = api.post("/api/v1/quotes", {**invoice_body(customer), "issue_date": 0})
    assert_problem(response, 422, "validation_error", field="issue_date")
    assert not Document.objects.exists()


@pytest.mark.parametrize(
    "value", ["1e3", "1E3", "1e-2", " 12", "12.", ".5", "0x10", "Infinity", "NaN", "1_000"]
)
def test_a_decimal_in_exponent_or_any_other_unusual_notation_is_refused(api, customer, value):
    response = api.post("/api/v1/invoices", invoice_body(customer), headers={"Accept-Language": "en"})
    assert response.status_code == 201
    line = {"description": "Conseil", "quantity": value, "unit_price": "100.00"}
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk), "lines": [line]})
    assert_problem(response, 422, "invalid_amount", field="lines[0].quantity")
    assert Document.objects.count() == 1


def test_decimal_refusals_are_worded_in_the_clients_language(api, customer):
    line = {"description": "Conseil", "quantity": "1", "unit_price": "1e3"}
    body = {"customer": str(customer.pk), "lines": [line]}
    english = api.post("/api/v1/invoices", body, headers={"Accept-Language": "en"}).json()
    french = api.post("/api/v1/invoices", body, headers={"Accept-Language": "fr"}).json()
    assert english["errors"][0]["message"].startswith("Send a decimal number as a string")
    assert "14 digits before the decimal point and 6 after it" in english["errors"][0]["message"]
    assert french["errors"][0]["message"].startswith("Envoyez un nombre décimal")
    assert "14 chiffres avant la virgule et 6 après" in french["errors"][0]["message"]


@pytest.mark.parametrize("value", ["0", "0.000000", "-1", "-0.5", 0, -2, "1e2", "0.0000001"])
def test_an_exchange_rate_of_zero_or_less_is_refused(api, customer, value):
    response = api.post("/api/v1/invoices", invoice_body(customer, currency="USD", exchange_rate=value),
                        headers={"Accept-Language": "en"})  # fmt: skip
    body = assert_problem(response, 422, "validation_error", field="exchange_rate")
    assert body["errors"][0]["type"] == "decimal_not_positive"
    assert not Document.objects.exists()


@pytest.mark.parametrize("value", ["1.08", "0.000001", "12", 2])
def test_a_positive_exchange_rate_is_accepted(api, customer, value):
    response = api.post("/api/v1/invoices", invoice_body(customer, currency="USD", exchange_rate=value))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/customers", {"code": "C9", "name": "   ", "address_line1": "1 rue", "postcode": "75001",
                           "city": "Paris"}, "name"),
    ("/api/v1/customers", {"code": "", "name": "X", "address_line1": "1 rue", "postcode": "75001",
                           "city": "Paris"}, "code"),
    ("/api/v1/products", {"sku": "\t", "name": "Conseil", "unit_price": "1"}, "sku"),
])  # fmt: skip
def test_a_blank_required_text_is_refused_before_the_service(api, path, body, field):
    response = api.post(path, body, headers={"Accept-Language": "en"})
    problem = assert_problem(response, 422, "validation_error", field=field)
    assert problem["errors"][0]["message"] == "This field cannot be blank."


def test_a_blank_rejection_reason_is_refused(approver_api, draft_invoice):
    response = approver_api.post(f"/api/v1/invoices/{draft_invoice.pk}/reject", {"reason": "  \n"})
    assert_problem(response, 422, "validation_error", field="reason")


def test_required_text_is_stored_without_surrounding_spaces(api):
    body = {
        "code": " C9 ",
        "name": "  Vins SA ",
        "address_line1": "1 rue",
        "postcode": "75001",
        "city": "Paris",
    }
    response = api.post("/api/v1/customers", body)
    assert response.status_code == 201, response.content
    assert Customer.objects.filter(code="C9", name="Vins SA").exists()


def test_text_longer_than_its_column_is_refused_naming_the_field(api, customer):
    response = api.patch(f"/api/v1/customers/{customer.pk}", {"city": "x" * 101})
    assert_problem(response, 422, "validation_error", field="city")


@pytest.mark.parametrize("limit", [0, -1, 201, 10**6])
def test_a_limit_out_of_its_bounds_is_refused(api, limit):
    assert_problem(api.get("/api/v1/invoices", {"limit": limit}), 422, "invalid_limit", field="limit")


@pytest.mark.parametrize("limit", [1, 200])
def test_the_limits_bounds_are_served(api, limit):
    assert api.get("/api/v1/customers", {"limit": limit}).status_code == 200


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/customers", {"kind": "alien"}, "kind"),
    ("/api/v1/products", {"vat_category": "X"}, "vat_category"),
    ("/api/v1/inbox", {"status": "lost"}, "status"),
    ("/api/v1/invoices", {"type_code": "999"}, "type_code"),
])  # fmt: skip
def test_a_filter_outside_its_enum_is_refused(api, path, params, field):
    assert_problem(api.get(path, params), 422, "invalid_choice", field=field)


def test_the_schema_states_the_bounds():
    schema = openapi()
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/invoices"]["get"]["parameters"]}
    # limit: 1..200; dates: ISO dates
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 200)
    assert {"type": "string", "format": "date"} in parameters["date_to"]["anyOf"]
    components = schema["components"]["schemas"]
    # exchange_rate: a pattern that refuses 0, and integers from 1
    rate = components["InvoiceCreateIn"]["properties"]["exchange_rate"]["anyOf"]
    import re

    pattern = re.compile(rate[0]["pattern"])
    assert pattern.fullmatch("1.08")
    assert pattern.fullmatch("0.000001")
    assert not pattern.fullmatch("0")
    assert not pattern.fullmatch("0.0")
    assert not pattern.fullmatch("1e3")
    assert rate[1] == {"type": "integer", "minimum": 1, "maximum": 10**14 - 1}
    # required text: not blank, at most the column's length
    name = components["CustomerCreateIn"]["properties"]["name"]
    assert name["maxLength"] == 200
    assert name["minLength"] == 1
    assert not re.search(name["pattern"], "   ")
    assert re.search(name["pattern"], " a ")
    # enums
    assert components["CustomerCreateIn"]["properties"]["kind"]["enum"] == ["business", "consumer", "public"]


def test_every_operation_checks_the_scope_before_the_body(entity, customer, draft_invoice):
    # given a key of the company without any scope
    _key, secret = make_key(entity, [])
    client = ApiClient(secret)
    schema = openapi()
    checked = 0
    for path, operations in schema["paths"].items():
        for method, _operation in operations.items():
            url = path.replace("{customer_id}", str(customer.pk)).replace(
                "{document_id}", str(draft_invoice.pk)
            )
            url = url.replace("{contact_id}", str(uuid.uuid4())).replace(
                "{invoice_id}", str(draft_invoice.pk)
            )
            url = url.replace("{product_id}", str(uuid.uuid4())).replace("{supplier_id}", str(uuid.uuid4()))
            url = url.replace("{received_id}", str(uuid.uuid4()))
            # when it calls the operation with a body that is not even valid
            garbage = '{"lines": "many", "reason": "", "unknown": 1}'
            http = Client()
            call = getattr(http, method)
            headers = {"Authorization": f"Bearer {secret}"}
            response = (
                call(url, garbage, content_type="application/json", headers=headers)
                if method in ("post", "patch")
                else call(url, headers=headers)
            )
            # then it is refused for its scope, not for its body
            assert response.status_code == 403, (method, url, response.content)
            assert_problem(response, 403, "insufficient_scope")
            checked += 1
    assert checked >= 60
    assert client.secret


def test_a_key_without_the_write_scope_gets_403_for_an_invalid_body(entity):
    _key, secret = make_key(entity, ["customers:read", "invoices:write"])
    client = ApiClient(secret)
    response = client.post("/api/v1/customers", {"name": 12})
    body = assert_problem(response, 403, "insufficient_scope")
    assert body["required_scope"] == "customers:write"
    # a write key may not approve, whatever it sends
    response = client.post(f"/api/v1/invoices/{uuid.uuid4()}/reject", {"reason": ""})
    assert assert_problem(response, 403, "insufficient_scope")["required_scope"] == "invoices:approve"


def test_a_key_with_the_scope_still_gets_422_for_an_invalid_body(entity):
    _key, secret = make_key(entity, ["customers:write"])
    response = ApiClient(secret).post("/api/v1/customers", {"name": 12})
    assert_problem(response, 422, "validation_error")


def test_a_null_in_an_update_leaves_the_field_as_it_is(api, product):
    # the schema lets every field of an update be null: it means "not changed", never a 422
    response = api.patch(
        f"/api/v1/products/{product.pk}", {"unit": None, "vat_category": None, "name": "Audit"}
    )
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert (product.name, product.unit, product.vat_category) == ("Audit", "DAY", "S")


def test_an_integral_json_number_is_taken_as_the_integer_it_is(api, customer):
    # JSON Schema counts 12.0 as an integer; 12.5 stays refused (a binary float)
    line = {"description": "Conseil", "quantity": 2.0, "unit_price": 100}
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk), "lines": [line]})
    assert response.status_code == 201, response.content
    line["quantity"] = 2.5
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk), "lines": [line]})
    assert_problem(response, 422, "validation_error", field="lines[0].quantity")


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
def test_a_boolean_in_a_body_is_true_or_false_only(api, customer, value):
    # lax parsing took 0 and "yes" for booleans although the schema says boolean
    response = api.post(
        f"/api/v1/customers/{customer.pk}/contacts", {"name": "Anne", "is_billing_contact": value}
    )
    assert_problem(response, 422, "validation_error", field="is_billing_contact")

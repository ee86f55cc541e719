"""Request limits of the API: body size, lines per document, and the wording of refused characters.

A body over DATA_UPLOAD_MAX_MEMORY_SIZE used to be a 500 (or, with an Idempotency-Key, Django's 400
HTML page); a 10,000-line invoice took 16 s to create. Both are now 4xx problem+json with a stable code.
"""

import json

import pytest
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from facturier.api.v1.types import TextIn
from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create
from tests.api.conftest import assert_problem

pytestmark = pytest.mark.django_db


def quote_body(customer, lines=1, description="Conseil"):
    line = {"description": description, "quantity": "1", "unit_price": "10"}
    return {"customer": str(customer.pk), "lines": [line] * lines}


@pytest.mark.parametrize("headers", [{}, {"Idempotency-Key": "big-body-1"}], ids=["plain", "idempotency-key"])
def test_a_body_over_the_size_limit_is_a_413_problem(api, customer, settings, headers):
    # given a 4 KB request limit and a body over it
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = json.dumps(quote_body(customer, description="x" * 5000))
    # when it is posted, with or without an Idempotency-Key
    response = api.post("/api/v1/quotes", body, headers=headers)
    # then the answer is 413 problem+json naming the limit, and nothing was created
    problem = assert_problem(response, 413, "request_too_large")
    assert problem["max_bytes"] == 4096
    assert not Document.objects.exists()


def test_a_body_under_the_size_limit_is_served(api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    response = api.post("/api/v1/quotes", quote_body(customer), headers={"Idempotency-Key": "small-1"})
    assert response.status_code == 201, response.content


def test_the_size_refusal_speaks_the_clients_language(api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = json.dumps(quote_body(customer, description="x" * 2000))
    english = api.post("/api/v1/quotes", body, headers={"Accept-Language": "en"}).json()
    french = api.post("/api/v1/quotes", body, headers={"Accept-Language": "fr"}).json()
    assert english["detail"] == "The request body is larger than the 1024 bytes allowed."
    assert french["detail"] == "Le corps de la requête dépasse les 1024 octets autorisés."


@pytest.mark.parametrize("path", ["/api/v1/quotes", "/api/v1/orders", "/api/v1/invoices"])
def test_more_lines_than_the_limit_are_refused_naming_lines(api, customer, settings, path):
    # given a limit of 5 lines
    settings.FACTURIER_MAX_DOCUMENT_LINES = 5
    # when a document of 6 lines is posted
    response = api.post(path, quote_body(customer, lines=6))
    # then it is refused naming `lines`, and 5 lines are accepted
    problem = assert_problem(response, 422, "too_many_lines", field="lines")
    assert "5" in problem["detail"]
    assert not Document.objects.exists()
    assert api.post(path, quote_body(customer, lines=5)).status_code == 201


def test_an_update_beyond_the_line_limit_is_refused_and_keeps_the_lines(api, customer, settings):
    settings.FACTURIER_MAX_DOCUMENT_LINES = 3
    quote = api.post("/api/v1/quotes", quote_body(customer, lines=2)).json()
    response = api.patch(f"/api/v1/quotes/{quote['id']}", {"lines": quote_body(customer, lines=4)["lines"]})
    assert_problem(response, 422, "too_many_lines", field="lines")
    assert len(api.get(f"/api/v1/quotes/{quote['id']}").json()["lines"]) == 2


def test_the_drafting_service_enforces_the_limit_for_every_caller(entity, customer, owner, settings):
    # the editor and the API both create documents through the drafting service
    settings.FACTURIER_MAX_DOCUMENT_LINES = 2
    with pytest.raises(ValidationFailed) as refused:
        document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                        lines=[LineData(description="Conseil")] * 3)  # fmt: skip
    assert (refused.value.code, refused.value.field) == ("too_many_lines", "lines")


def test_the_openapi_schema_states_the_line_limit(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["QuoteCreateIn"]["properties"]["lines"]["maxItems"] == 1000
    assert schemas["InvoiceCreateIn"]["properties"]["lines"]["maxItems"] == 1000
    update = schemas["DocumentUpdateIn"]["properties"]["lines"]["anyOf"]
    assert [branch.get("maxItems") for branch in update] == [1000, None]


def test_a_control_character_is_named_by_its_code_point():
    # pydantic's own message fills the placeholder (it used to read "U+{code:04X}")
    with pytest.raises(PydanticValidationError) as refused:
        TypeAdapter(TextIn).validate_python("Bonjour\x1b[31m")
    assert refused.value.errors()[0]["msg"] == "Control character U+001B is not allowed in text."


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Control character U+0001 is not allowed in text."),
        ("fr", "Le caractère de contrôle U+0001 n'est pas autorisé dans un texte."),
    ],
)
def test_the_api_names_the_control_character_in_the_clients_language(api, customer, language, message):
    response = api.post("/api/v1/quotes", quote_body(customer, description="a\x01b"),
                        headers={"Accept-Language": language})  # fmt: skip
    problem = assert_problem(response, 422, "invalid_character", field="lines[0].description")
    assert problem["errors"][0]["message"] == message

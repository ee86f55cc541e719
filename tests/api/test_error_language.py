"""Every human message of an API error is in one language, the one `Accept-Language` asks for.

The same bad requests are sent in French and in English: a schema error on fields, a lifecycle
refusal, an unknown id, a VAT refusal, an e-invoice refusal and a missing key. Each answer's title,
detail and field messages must be in the language asked, with no sentence of the other one.
"""

import re
import uuid

import pytest

from facturier.api.v1.schema_errors import wording
from facturier.invoicing.services import invoice_issue

ENGLISH = re.compile(r"\b(must|is not|the|cannot|unknown|required|invalid|send|only|field|at most)\b", re.I)
FRENCH = re.compile(r"[éèêàâçùûôî«»]|\b(le|la|les|est|doit|inconnu|inconnue|une|des|pas|envoyez)\b", re.I)


def _messages(body: dict) -> list[str]:
    """The human text of a problem: title, detail and every field error's message."""
    return [body["title"], body["detail"], *(error["message"] for error in body.get("errors", []))]


def _in_one_language(body: dict, language: str) -> list[str]:
    messages = _messages(body)
    other = ENGLISH if language == "fr" else FRENCH
    mixed = [message for message in messages if other.search(message)]
    assert mixed == [], f"{language} answer carries the other language: {mixed}"
    return messages


def _bad_requests(api, customer, product, draft_invoice, issued_invoice):
    """(name, response) of each refused request, sent with the given headers."""

    def send(headers):
        return {
            "schema": api.post("/api/v1/invoices", {
                "lines": [{"quantity": 1.5, "unit": "XYZ", "colour": "red"}], "type_code": "999",
            }, headers=headers),
            "lifecycle": api.patch(f"/api/v1/invoices/{issued_invoice.pk}", {"note": "x"}, headers=headers),
            "not_found": api.get(f"/api/v1/invoices/{uuid.uuid4()}", headers=headers),
            "vat": api.post("/api/v1/invoices", {"customer": str(customer.pk), "lines": [
                {"description": "Conseil", "unit_price": "100", "vat_category": "S", "vat_rate": "0"},
            ]}, headers=headers),
            "einvoice": api.get(f"/api/v1/invoices/{draft_invoice.pk}/ubl", headers=headers),
            "product": api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                                     "lines": [{"product_code": "NOPE"}]}, headers=headers),
        }  # fmt: skip

    return send


@pytest.fixture
def issued_invoice(entity, customer, product, owner, settings):
    from decimal import Decimal

    from facturier.invoicing.services import LineData, document_create

    settings.EINVOICE_VALIDATE_ON_ISSUE = False
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("1"))])  # fmt: skip
    return invoice_issue(invoice=draft, by=owner)


EXPECTED = {
    "fr": {
        "schema": ("Données invalides", "Ce champ est obligatoire."),
        "lifecycle": ("Conflit", "ne peut plus être modifié"),
        "not_found": ("Introuvable", "Document inconnu."),
        "vat": ("Données invalides", "La catégorie de TVA S (taux normal)"),
        "einvoice": ("Conflit", "n'est pas encore émis"),
        "product": ("Données invalides", "Produit inconnu."),
    },
    "en": {
        "schema": ("Invalid input", "This field is required."),
        "lifecycle": ("Conflict", "can no longer be edited"),
        "not_found": ("Not found", "Unknown document."),
        "vat": ("Invalid input", "VAT category S (standard)"),
        "einvoice": ("Conflict", "is not issued yet"),
        "product": ("Invalid input", "Unknown product."),
    },
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_message_of_an_error_is_in_the_language_asked(api, customer, product, draft_invoice,
                                                           issued_invoice, language):  # fmt: skip
    # given the same bad requests, sent with Accept-Language
    send = _bad_requests(api, customer, product, draft_invoice, issued_invoice)
    responses = send({"Accept-Language": language})
    for name, response in responses.items():
        # then each answer is a problem whose every message is in that language only
        assert response["Content-Type"].startswith("application/problem+json"), (name, response.content)
        assert response["Content-Language"] == language
        body = response.json()
        messages = _in_one_language(body, language)
        title, fragment = EXPECTED[language][name]
        assert body["title"] == title, (name, body)
        assert any(fragment in message for message in messages), (name, messages)


def test_schema_errors_name_each_field_in_the_language_asked(api, customer):
    body = {"customer": str(customer.pk), "lines": [{"quantity": 1.5, "unit": "XYZ", "colour": "red"}],
            "type_code": "999", "language": "de"}  # fmt: skip
    french = api.post("/api/v1/invoices", body, headers={"Accept-Language": "fr"}).json()
    english = api.post("/api/v1/invoices", body, headers={"Accept-Language": "en"}).json()
    # then both name the same fields, with a wording of their own language
    assert [e["field"] for e in french["errors"]] == [e["field"] for e in english["errors"]]
    by_field = {e["field"]: e["message"] for e in french["errors"]}
    assert by_field["lines[0].colour"] == "Champ inconnu."
    assert by_field["lines[0].unit"].startswith("Code d'unité inconnu")
    assert "chaînes décimales" in by_field["lines[0].quantity"]
    assert by_field["type_code"] == "Valeurs possibles : '380', '384', '386'."
    assert {e["field"]: e["message"] for e in english["errors"]}["lines[0].colour"] == "Unknown field."


def test_without_accept_language_errors_are_in_french(api):
    # given no Accept-Language header, then the product's default language (French) is used
    body = api.get(f"/api/v1/invoices/{uuid.uuid4()}").json()
    assert (body["title"], body["detail"]) == ("Introuvable", "Document inconnu.")


def test_a_missing_key_is_refused_in_the_language_asked(client):
    french = client.get("/api/v1/invoices", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).json()
    english = client.get("/api/v1/invoices", headers={"Accept-Language": "en-GB,en;q=0.9"}).json()
    assert french["detail"].startswith("Envoyez une clé d'API")
    assert english["detail"].startswith("Send an API key")
    _in_one_language(french, "fr")
    _in_one_language(english, "en")


def test_an_unlisted_pydantic_error_gets_a_generic_wording_not_english():
    from django.utils import translation

    with translation.override("fr"):
        assert (
            wording({"type": "some_new_pydantic_check", "msg": "Input should be nice"}) == "Valeur invalide."
        )


def test_the_openapi_schema_documents_accept_language_on_every_operation(api):
    schema = api.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = [parameter["name"] for parameter in operation.get("parameters", [])]
            assert "Accept-Language" in names, (method, path)

"""Downloads of issued invoices through the API: Factur-X PDF, CII, UBL and the validation report."""

import secrets

import pytest
from django.test import Client

from facturier.accounts.models import ApiKey
from facturier.domain.formats import detect_and_parse
from facturier.invoicing.services import credit_note_create, document_create, invoice_issue
from tests.conftest import make_entity
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")


def _client(entity, *scopes) -> Client:
    prefix = secrets.token_hex(4)
    secret = f"fk_{prefix}_{secrets.token_urlsafe(16)}"
    ApiKey.objects.create(
        entity=entity, name="t", prefix=prefix, digest=ApiKey.digest_of(secret), scopes=list(scopes)
    )
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def issued_invoice(entity, draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)


def test_cii_and_ubl_of_an_issued_invoice_are_downloaded(entity, issued_invoice):
    client = _client(entity, "invoices:read")
    for fmt in ("cii", "ubl"):
        # when the XML is downloaded
        response = client.get(f"/api/v1/invoices/{issued_invoice.pk}/{fmt}")
        # then it is the invoice's e-invoice, as an attachment named after its number
        assert response.status_code == 200, response.content
        assert response["Content-Type"] == "application/xml"
        assert f'filename="{issued_invoice.number}.{fmt}.xml"' in response["Content-Disposition"]
        assert detect_and_parse(response.content).totals.amount_due == issued_invoice.payable


def test_pdf_of_an_issued_invoice_is_a_factur_x(entity, issued_invoice):
    response = _client(entity, "invoices:read").get(f"/api/v1/invoices/{issued_invoice.pk}/pdf")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"factur-x.xml" in response.content


def test_validation_report_lists_what_ran_and_the_findings(entity, issued_invoice):
    body = _client(entity, "invoices:read").get(f"/api/v1/invoices/{issued_invoice.pk}/validation").json()
    assert body["is_valid"] is True
    assert body["error_count"] == 0
    assert (body["syntax"], body["profile"]) == ("cii", "EN16931")
    assert {"xsd", "en16931-cii", "br-fr"} <= set(body["artefacts"])
    ubl = (
        _client(entity, "invoices:read")
        .get(f"/api/v1/invoices/{issued_invoice.pk}/validation?format=ubl")
        .json()
    )
    assert (ubl["syntax"], ubl["is_valid"]) == ("ubl", True)


def test_validation_of_a_draft_shows_why_it_would_be_refused(entity, owner):
    # given a draft for a French business without SIREN
    buyer = cases.customer(entity, "NOSIREN")
    draft = document_create(entity=entity, kind="invoice", customer=buyer, by=owner, lines=[cases.line("10")])
    body = _client(entity, "invoices:read").get(f"/api/v1/invoices/{draft.pk}/validation").json()
    assert body["is_valid"] is False
    assert "BR-FR-11_BT-47" in {finding["rule"] for finding in body["findings"]}


def test_xml_of_a_draft_does_not_exist_yet(entity, draft_invoice):
    response = _client(entity, "invoices:read").get(f"/api/v1/invoices/{draft_invoice.pk}/cii")
    assert response.status_code == 409
    assert response.json()["code"] == "not_issued"


def test_credit_notes_are_downloaded_under_their_own_resource_and_scope(entity, issued_invoice, owner):
    note = invoice_issue(invoice=credit_note_create(invoice=issued_invoice, by=owner), by=owner)
    assert _client(entity, "credit_notes:read").get(f"/api/v1/credit_notes/{note.pk}/ubl").status_code == 200
    # an invoices-only key does not see credit notes, and a credit note is not an invoice
    assert _client(entity, "invoices:read").get(f"/api/v1/credit_notes/{note.pk}/ubl").status_code == 403
    assert _client(entity, "*").get(f"/api/v1/invoices/{note.pk}/ubl").status_code == 404


def test_downloads_need_the_read_scope(entity, issued_invoice):
    response = _client(entity, "customers:read").get(f"/api/v1/invoices/{issued_invoice.pk}/pdf")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"
    assert Client().get(f"/api/v1/invoices/{issued_invoice.pk}/cii").status_code == 401


def test_another_company_cannot_download_the_invoice(issued_invoice):
    other = make_entity(name="Concurrent SA", siren="542107669")
    response = _client(other, "invoices:read").get(f"/api/v1/invoices/{issued_invoice.pk}/cii")
    assert response.status_code == 404


def test_issuing_an_invalid_invoice_through_the_api_lists_the_broken_rules(entity, owner):
    # given a draft for a French business customer without SIREN
    buyer = cases.customer(entity, "NOSIREN")
    draft = document_create(entity=entity, kind="invoice", customer=buyer, by=owner, lines=[cases.line("10")])
    # when it is issued through the API
    response = _client(entity, "invoices:write").post(
        f"/api/v1/invoices/{draft.pk}/issue", "{}", content_type="application/json"
    )
    # then the problem+json names the code and every finding with its rule id
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "einvoice_invalid"
    assert "BR-FR-11_BT-47" in {finding["rule"] for finding in body["findings"]}
    assert "BR-FR-11_BT-47" in body["detail"]
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "")

"""The download buttons of the staff UI: PDF, CII, UBL and the validation report, members only."""

import pytest
from django.test import Client
from django.urls import reverse

from facturier.domain.formats import detect_and_parse
from facturier.invoicing.services import document_create, invoice_issue
from tests.invoicing import einvoice_cases as cases
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")


def _url(document, fmt: str) -> str:
    return reverse("web:document-download", kwargs={"pk": document.pk, "fmt": fmt})


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_member_downloads_the_xml_of_an_issued_invoice(entity, draft_invoice, owner, colleague):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    response = _signed_in(colleague).get(_url(invoice, "ubl"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.ubl.xml"'
    assert detect_and_parse(response.content).number == invoice.number


def test_pdf_of_a_draft_is_a_preview_and_its_xml_does_not_exist(entity, draft_invoice, owner):
    client = _signed_in(owner)
    pdf = client.get(_url(draft_invoice, "pdf"))
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert client.get(_url(draft_invoice, "cii")).status_code == 404


def test_validation_page_lists_the_findings_of_an_invalid_draft(entity, owner):
    # given a draft that the French rules would refuse (business buyer without SIREN)
    buyer = cases.customer(entity, "NOSIREN")
    draft = document_create(entity=entity, kind="invoice", customer=buyer, by=owner, lines=[cases.line("10")])
    # when its validation report is opened, then the rule and its message are shown
    page = _signed_in(owner).get(_url(draft, "validation"))
    assert page.status_code == 200
    assert b"BR-FR-11_BT-47" in page.content
    data = _signed_in(owner).get(_url(draft, "validation") + "?format=json").json()
    assert data["is_valid"] is False


def test_outsider_cannot_download_another_company_invoice(entity, draft_invoice, owner, outsider):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    assert _signed_in(outsider).get(_url(invoice, "cii")).status_code == 404
    assert Client().get(_url(invoice, "cii")).status_code == 302  # to the login page

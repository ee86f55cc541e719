"""The invoice's pay link: stable, signed, printed on the PDF, put in the email and given by the API."""

import io
from decimal import Decimal

import pytest
from django.test import Client
from pypdf import PdfReader

from facturier.documents.render import render_pdf
from facturier.invoicing.services import LineData, document_create
from facturier.payments.online import document_for_token, pay_token, pay_url
from facturier.transmission.models import ChannelName
from facturier.transmission.payload import build_delivery, build_payload
from facturier.transmission.routing import Route
from tests.api.conftest import ALL_SCOPES, ApiClient, make_key
from tests.documents.pdftext import text_of
from tests.payments.online_fixtures import PUBLIC_URL

pytestmark = pytest.mark.django_db


def _links(pdf: bytes) -> list[str]:
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if action.get("/URI"):
                found.append(str(action["/URI"]))
    return found


def test_the_pay_link_is_stable_signed_and_names_the_invoice(invoice, stripe_account):
    url = pay_url(invoice)
    assert url == pay_url(invoice)
    assert url.startswith(f"{PUBLIC_URL}/pay/")
    assert url.endswith("/")
    token = url.removeprefix(f"{PUBLIC_URL}/pay/").rstrip("/")
    assert document_for_token(token) == invoice
    assert document_for_token(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert Client().get(f"/pay/{token[:-2]}xy/").status_code == 404


def test_without_a_provider_account_an_invoice_has_no_pay_link(invoice, online):
    assert pay_url(invoice) is None
    assert "Payer en ligne" not in text_of(render_pdf(invoice))


def test_a_draft_has_no_pay_link(draft_invoice, stripe_account):
    assert pay_url(draft_invoice) is None


def test_the_pdf_prints_the_pay_link_as_a_clickable_url(invoice, stripe_account):
    pdf = render_pdf(invoice)
    assert "Payer en ligne" in text_of(pdf)
    assert pay_url(invoice) in _links(pdf)


def test_the_invoice_email_carries_the_pay_link_before_the_signature(invoice, stripe_account):
    delivery = build_delivery(
        invoice, Route(ChannelName.EMAIL, "compta@client.example"), build_payload(invoice)
    )
    assert f"Payer en ligne : {pay_url(invoice)}" in delivery.body
    assert delivery.body.rstrip().endswith(invoice.entity.name)


def test_the_api_gives_the_payment_url_of_an_issued_invoice(invoice, entity, customer, owner, stripe_account):
    draft = document_create(
        entity=entity,
        kind="invoice",
        customer=customer,
        by=owner,
        lines=[LineData(description="Conseil", quantity=Decimal("1"), unit_price=Decimal("100"))],
    )
    _key, secret = make_key(entity, ALL_SCOPES)
    api = ApiClient(secret)
    assert api.get(f"/api/v1/invoices/{invoice.pk}").json()["payment_url"] == pay_url(invoice)
    assert api.get(f"/api/v1/invoices/{draft.pk}").json()["payment_url"] is None
    assert pay_token(invoice) in pay_url(invoice)

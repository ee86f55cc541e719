"""Documents carry a cost centre: the editor and the API set it, submitting routes the document by the
approval rules of that cost centre, and it is frozen once the document is issued."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse

from facturier.approvals.selectors import latest_request
from facturier.approvals.services import rule_save
from facturier.common.errors import Conflict
from facturier.invoicing.models import Document, Kind, Status
from facturier.invoicing.services import (
    LineData,
    credit_note_create,
    document_create,
    document_update,
    invoice_issue,
    invoice_submit,
)
from tests.api.conftest import ApiClient, make_key
from tests.web.test_documents import editor_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing_rule(entity, owner, approver, director):
    """Any approver for every invoice; the director too for the cost centre MKT-PARIS."""
    rule_save(entity=entity, by=owner, name="team lead", priority=1,
              levels=[{"label": "team lead", "roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    rule_save(entity=entity, by=owner, name="marketing budget", priority=2, cost_centres=["MKT-PARIS"],
              levels=[{"label": "CMO", "roles": [], "users": [str(director.pk)], "required": 1}])  # fmt: skip


def _rules_of(document):
    return [level["rule"] for level in latest_request("document", document.pk).plan]


def test_an_invoice_made_in_the_editor_is_routed_by_its_cost_centre(
    client, entity, owner, customer, product, marketing_rule
):
    # given an invoice saved from the editor with the cost centre MKT-PARIS
    client.force_login(owner)
    data = editor_data(customer, [{"product": product.pk, "quantity": "1"}], cost_centre=" MKT-PARIS ")
    response = client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 302
    invoice = Document.objects.get(entity=entity, kind=Kind.INVOICE)
    assert invoice.cost_centre == "MKT-PARIS"
    # and the editor shows it again, and the document page too
    edit = client.get(reverse("web:document-edit", kwargs={"pk": invoice.pk})).content.decode()
    assert 'value="MKT-PARIS"' in edit
    assert (
        "MKT-PARIS" in client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()
    )
    # when it is submitted, then the marketing rule adds its level
    invoice = invoice_submit(invoice=invoice, by=owner)
    assert invoice.status == Status.PENDING_APPROVAL
    assert _rules_of(invoice) == ["team lead", "marketing budget"]
    assert latest_request("document", invoice.pk).facts["cost_centre"] == "MKT-PARIS"


def test_an_invoice_made_through_the_api_is_routed_by_its_cost_centre(
    entity, owner, customer, product, marketing_rule
):
    _key, secret = make_key(entity, ["invoices:read", "invoices:write"])
    api = ApiClient(secret)
    # given an invoice created through the API without a cost centre, then given one by PATCH
    created = api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                            "lines": [{"product": str(product.pk), "quantity": "1"}]})  # fmt: skip
    assert created.status_code == 201, created.json()
    assert created.json()["cost_centre"] == ""
    invoice_id = created.json()["id"]
    patched = api.patch(f"/api/v1/invoices/{invoice_id}", {"cost_centre": "MKT-PARIS"})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["cost_centre"] == "MKT-PARIS"
    # when it is submitted through the API, then the marketing rule adds its level
    submitted = api.post(f"/api/v1/invoices/{invoice_id}/submit", {})
    assert submitted.json()["status"] == Status.PENDING_APPROVAL
    assert _rules_of(Document.objects.get(pk=invoice_id)) == ["team lead", "marketing budget"]


def test_another_cost_centre_keeps_the_general_circuit(entity, owner, customer, product, marketing_rule):
    _key, secret = make_key(entity, ["invoices:read", "invoices:write"])
    created = ApiClient(secret).post("/api/v1/invoices", {
        "customer": str(customer.pk), "cost_centre": "R&D", "lines": [{"product": str(product.pk)}],
    })  # fmt: skip
    assert created.json()["cost_centre"] == "R&D"
    invoice = invoice_submit(invoice=Document.objects.get(pk=created.json()["id"]), by=owner)
    assert _rules_of(invoice) == ["team lead"]


def test_a_too_long_cost_centre_is_refused_by_the_api(entity, customer, product):
    _key, secret = make_key(entity, ["invoices:read", "invoices:write"])
    response = ApiClient(secret).post("/api/v1/invoices", {
        "customer": str(customer.pk), "cost_centre": "x" * 41, "lines": [{"product": str(product.pk)}],
    })  # fmt: skip
    assert response.status_code == 422
    assert not Document.objects.exists()


def test_the_cost_centre_is_frozen_once_issued_and_a_credit_note_takes_it(entity, owner, customer, product):
    # given an issued invoice of the cost centre MKT-PARIS
    invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                              lines=[LineData(product=product, quantity=Decimal("1"))], cost_centre="MKT-PARIS")  # fmt: skip
    invoice = invoice_issue(invoice=invoice, by=owner)
    # then the services refuse to change it
    with pytest.raises(Conflict):
        document_update(document=invoice, by=owner, cost_centre="OTHER")
    # and so does the database
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        Document.objects.filter(pk=invoice.pk).update(cost_centre="OTHER")
    assert Document.objects.get(pk=invoice.pk).cost_centre == "MKT-PARIS"
    # and its credit note is booked to the same cost centre
    credit_note = credit_note_create(invoice=invoice, by=owner)
    assert credit_note.cost_centre == "MKT-PARIS"

"""Approval through the API: its own `<resource>:approve` scope, never implied by `write`, and never on
what the same key created or submitted."""

import pytest

from facturier.accounts.models import ApiKey
from facturier.accounts.services import api_key_create
from facturier.common.errors import PermissionDenied
from facturier.invoicing.models import Document
from facturier.invoicing.services import invoice_approve, invoice_issue, invoice_submit
from tests.api.conftest import ApiClient, assert_problem, make_key


@pytest.fixture
def approval_entity(entity):
    entity.requires_approval = True
    entity.save()
    return entity


def _created_and_submitted(client, customer, product) -> str:
    created = client.post("/api/v1/invoices", {"customer": str(customer.pk),
                                               "lines": [{"product": str(product.pk), "quantity": "2"}]})  # fmt: skip
    assert created.status_code == 201, created.content
    url = f"/api/v1/invoices/{created.json()['id']}"
    assert client.post(f"{url}/submit").json()["status"] == "pending_approval"
    return url


def test_a_key_with_invoices_write_cannot_approve(api, approval_entity, customer, product):
    # given an invoice a write key created and submitted
    url = _created_and_submitted(api, customer, product)
    # when the same key approves it, then it lacks the approve scope, which write does not give
    body = assert_problem(api.post(f"{url}/approve"), 403, "insufficient_scope")
    assert body["required_scope"] == "invoices:approve"
    assert api.get(url).json()["status"] == "pending_approval"


def test_a_key_with_invoices_approve_cannot_approve_its_own_submission(approval_entity, customer, product):
    # given a key that may write and approve, which created and submitted an invoice
    key, secret = make_key(approval_entity, ["invoices:write", "invoices:approve"])
    client = ApiClient(secret, key)
    url = _created_and_submitted(client, customer, product)
    # when it approves it (asking for English), then it is refused: someone else must approve it
    body = assert_problem(
        client.post(f"{url}/approve", headers={"Accept-Language": "en"}), 403, "approval_by_submitter"
    )
    assert "someone else must approve" in body["detail"]
    assert client.get(url).json()["status"] == "pending_approval"


def test_another_key_with_invoices_approve_approves_and_the_document_says_who_did_what(
    api, approver_api, approval_entity, customer, product
):
    url = _created_and_submitted(api, customer, product)
    approved = approver_api.post(f"{url}/approve")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved"
    assert (body["created_by"], body["submitted_by"], body["approved_by"]) == (
        f"apikey:{api.key.prefix}", f"apikey:{api.key.prefix}", f"apikey:{approver_api.key.prefix}"
    )  # fmt: skip


def test_a_person_approves_what_a_key_submitted_and_a_key_what_a_person_submitted(
    api, approver_api, approval_entity, draft_invoice, owner, approver, customer, product
):
    # given an invoice submitted by a key, and one created and submitted by the owner
    by_key = _created_and_submitted(api, customer, product)
    invoice_submit(invoice=draft_invoice, by=owner)
    # then the approver approves the first in person, the approving key the second
    document = Document.objects.get(pk=by_key.rsplit("/", 1)[1])
    assert invoice_approve(invoice=document, by=approver).approved_by == approver
    response = approver_api.post(f"/api/v1/invoices/{draft_invoice.pk}/approve")
    assert response.json()["approved_by"] == f"apikey:{approver_api.key.prefix}"
    assert response.json()["submitted_by"] == "user:owner"


def test_a_person_cannot_approve_through_the_service_what_they_created(
    approval_entity, draft_invoice, owner, colleague
):
    # given the owner (who may approve) created the invoice and the accountant submitted it
    invoice_submit(invoice=draft_invoice, by=colleague)
    # when the owner approves it, then it is refused with the stable code
    with pytest.raises(PermissionDenied) as refused:
        invoice_approve(invoice=draft_invoice, by=owner)
    assert refused.value.code == "approval_by_submitter"


def test_credit_notes_need_their_own_approve_scope(api, approval_entity, draft_invoice, owner):
    # given an issued invoice and a draft credit note against it, submitted by the write key
    invoice_approve(invoice=invoice_submit(invoice=draft_invoice, by=owner), by=None)  # the system may
    invoice_issue(invoice=draft_invoice, by=owner)
    credit = api.post(f"/api/v1/invoices/{draft_invoice.pk}/credit-note", {"reason": "Erreur"}).json()
    url = f"/api/v1/credit_notes/{credit['id']}"
    api.post(f"{url}/submit")
    # then invoices:approve does not approve credit notes, credit_notes:approve does
    key, secret = make_key(approval_entity, ["invoices:approve"])
    body = assert_problem(ApiClient(secret, key).post(f"{url}/approve"), 403, "insufficient_scope")
    assert body["required_scope"] == "credit_notes:approve"
    key, secret = make_key(approval_entity, ["credit_notes:approve"])
    assert ApiClient(secret, key).post(f"{url}/approve").json()["status"] == "approved"


def test_rejecting_needs_the_approve_scope_and_the_submitting_key_may_withdraw(
    api, approval_entity, customer, product
):
    url = _created_and_submitted(api, customer, product)
    assert_problem(api.post(f"{url}/reject", {"reason": "Retiré"}), 403, "insufficient_scope")
    key, secret = make_key(approval_entity, ["invoices:write", "invoices:approve"])
    own = ApiClient(secret, key)
    own_url = _created_and_submitted(own, customer, product)
    rejected = own.post(f"{own_url}/reject", {"reason": "Retiré : mauvais client"})
    assert rejected.status_code == 200, rejected.content
    assert (rejected.json()["status"], rejected.json()["rejection_reason"]) == (
        "draft",
        "Retiré : mauvais client",
    )


def test_approve_implies_read_but_neither_write_nor_approve_of_another_resource(entity):
    key, _full = api_key_create(entity=entity, name="approbation", scopes=["invoices:approve"], by=None)
    assert key.has_scope("invoices:read")
    assert not key.has_scope("invoices:write")
    assert not key.has_scope("credit_notes:approve")
    assert not ApiKey(scopes=["invoices:write"]).has_scope("invoices:approve")
    assert ApiKey(scopes=["*"]).has_scope("invoices:approve")


def test_the_openapi_document_names_the_approve_scope(api):
    operation = api.get("/api/v1/openapi.json").json()["paths"]["/api/v1/invoices/{document_id}/approve"][
        "post"
    ]
    assert "invoices:approve" in operation["description"]
    assert "approval_by_submitter" in operation["description"]

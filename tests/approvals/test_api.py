"""`/api/v1/approvals`: list what waits and decide it, with the `<resource>:approve` scope."""

import pytest

from facturier.approvals.models import ApprovalRequest
from facturier.invoicing.services import invoice_submit
from tests.api.conftest import ApiClient, assert_problem, make_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def role_circuit(entity, owner, approver):
    from facturier.approvals.services import rule_save

    rule_save(entity=entity, by=owner, name="two approvers", levels=[
        {"label": "first", "roles": ["approver", "admin"], "users": [], "required": 1},
        {"label": "second", "roles": ["approver", "admin"], "users": [], "required": 1},
    ])  # fmt: skip


def test_list_and_decide_level_by_level(entity, owner, draft_invoice, role_circuit):
    invoice_submit(invoice=draft_invoice, by=owner)
    first, first_secret = make_key(entity, ["invoices:approve"], name="first")
    second, second_secret = make_key(entity, ["invoices:approve"], name="second")
    api1, api2 = ApiClient(first_secret, first), ApiClient(second_secret, second)
    (item,) = api1.get("/api/v1/approvals").json()["items"]
    assert (item["level"], item["levels"], item["rule"], item["level_label"]) == (
        1,
        2,
        "two approvers",
        "first",
    )
    url = f"/api/v1/approvals/{item['id']}"
    assert api1.post(f"{url}/approve", {"comment": "ok"}).json()["level"] == 2
    assert_problem(api1.post(f"{url}/approve", {}), 409, "approval_already_decided")
    body = api2.post(f"{url}/approve", {}).json()
    assert body["status"] == "approved"
    assert [h["comment"] for h in body["history"]] == ["ok", ""]
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "approved"


def test_without_an_approve_scope_nothing_is_listed(entity, owner, draft_invoice, role_circuit):
    invoice_submit(invoice=draft_invoice, by=owner)
    key, secret = make_key(entity, ["invoices:write"])
    assert_problem(ApiClient(secret, key).get("/api/v1/approvals"), 403, "insufficient_scope")
    inbox_key, inbox_secret = make_key(entity, ["inbox:approve"])
    assert ApiClient(inbox_secret, inbox_key).get("/api/v1/approvals").json()["items"] == []


def test_reject_needs_a_reason(entity, owner, draft_invoice, role_circuit):
    invoice_submit(invoice=draft_invoice, by=owner)
    key, secret = make_key(entity, ["invoices:approve"])
    api = ApiClient(secret, key)
    approval = ApprovalRequest.objects.get()
    assert api.post(f"/api/v1/approvals/{approval.pk}/reject", {}).status_code == 422
    assert (
        api.post(f"/api/v1/approvals/{approval.pk}/reject", {"reason": "no"}).json()["status"] == "rejected"
    )

"""Supplier invoices go through the approval circuit before they may be paid; pre-checks add a level."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.approvals.models import RequestStatus
from facturier.approvals.selectors import latest_request
from facturier.approvals.services import rule_save
from facturier.common.errors import Conflict, PermissionDenied
from facturier.inbox.approval import received_invoice_approval
from facturier.inbox.models import ReceivedInvoice, ReceivedStatus
from facturier.inbox.services import einvoice_import, received_invoice_decide
from tests.inbox.builders import cii_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(entity, owner):
    user = get_user_model().objects.create_user("approver", "approver@example.fr", "pw-approver-123")
    membership_set(entity=entity, user=user, role=Role.APPROVER, by=owner)
    return user


@pytest.fixture
def received(entity, owner):
    return einvoice_import(
        entity=entity, by=owner, filename="a.xml", content=cii_bytes(number="A-1")
    ).records[0]


def _earlier(
    row: ReceivedInvoice, number: str, amount: str, day: dt.date, account: str = ""
) -> ReceivedInvoice:
    return ReceivedInvoice.objects.create(
        entity=row.entity, supplier=row.supplier, status=ReceivedStatus.ACCEPTED, original_filename="x.xml",
        size=1, sha256=uuid.uuid4().hex * 2, format=row.format, syntax=row.syntax, number=number,
        type_code="380", issue_date=day, currency="EUR", tax_exclusive=Decimal(amount),
        tax_inclusive=Decimal(amount), amount_due=Decimal(amount), seller_name=row.seller_name,
        buyer_name=row.buyer_name, validation="valid", payee_account=account, purchase_order_reference="PO-1",
    )  # fmt: skip


def test_without_circuits_accepting_is_immediate(received, owner):
    assert received_invoice_decide(received=received, by=owner, accept=True).status == ReceivedStatus.ACCEPTED


def test_the_circuit_and_prechecks_decide_before_payment(entity, owner, approver, received):
    rule_save(entity=entity, by=owner, name="purchases", document_types=["supplier_invoice"],
              levels=[{"label": "buyer", "roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    received.payee_account = "FR7630006000011234567890189"
    received.save()
    for index, day in enumerate((1, 2, 3)):
        _earlier(received, f"OLD-{index}", "30.00", dt.date(2026, 8, day), "DE89370400440532013000")
    _earlier(received, "A-1-bis", "120.00", received.issue_date)
    # asking to accept opens the circuit: not accepted yet
    row = received_invoice_decide(received=received, by=owner, accept=True)
    assert row.status != ReceivedStatus.ACCEPTED
    request = latest_request("received_invoice", received.pk)
    codes = [finding["code"] for finding in request.findings]
    assert codes == [
        "duplicate_amount_date",
        "bank_details_changed",
        "amount_unusual",
        "missing_purchase_order",
    ]
    assert [level["rule"] for level in request.plan] == ["purchases", "pre-checks"]
    with pytest.raises(Conflict):
        received_invoice_decide(received=received, by=owner, accept=True)
    with pytest.raises(PermissionDenied):  # who asked for it does not approve it
        received_invoice_approval(received=received, by=owner, approve=True)
    assert (
        received_invoice_approval(received=received, by=approver, approve=True).status
        != ReceivedStatus.ACCEPTED
    )
    # the same approver cannot pass the pre-check level too: the owner is an author; nobody else
    with pytest.raises(Conflict):
        received_invoice_approval(received=received, by=approver, approve=True)
    second = get_user_model().objects.create_user("second", "s@example.fr", "pw-second-123")
    membership_set(entity=entity, user=second, role=Role.ADMIN, by=owner)
    assert (
        received_invoice_approval(received=received, by=second, approve=True).status
        == ReceivedStatus.ACCEPTED
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED


def test_a_rejection_rejects_the_supplier_invoice(entity, owner, approver, received):
    rule_save(entity=entity, by=owner, name="purchases", document_types=["supplier_invoice"],
              levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    received_invoice_decide(received=received, by=owner, accept=True)
    row = received_invoice_approval(received=received, by=approver, approve=False, comment="not ordered")
    assert (row.status, row.decision_reason) == (ReceivedStatus.REJECTED, "not ordered")

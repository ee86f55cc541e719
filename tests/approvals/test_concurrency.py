"""Two approvers deciding the same level at the same instant (PostgreSQL, real connections)."""

import pytest
from django.db import connection

from facturier.approvals.models import ApprovalDecision, ApprovalRequest
from facturier.approvals.services import rule_save
from facturier.invoicing.models import Document
from facturier.invoicing.services import invoice_approve, invoice_submit
from tests.pg_race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_at_once_on_a_one_approval_level(entity, owner, approver, approver2, draft_invoice):
    assert connection.vendor == "postgresql"
    rule_save(entity=entity, by=owner, name="one of them",
              levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    invoice_submit(invoice=draft_invoice, by=owner)

    def decide(user):  # type: ignore[no-untyped-def]
        return lambda: invoice_approve(invoice=Document.objects.get(pk=draft_invoice.pk), by=user)

    assert race(decide(approver), decide(approver2)) == ["done", "illegal_transition"]
    assert ApprovalDecision.objects.filter(decision="approved").count() == 1
    assert ApprovalRequest.objects.get().status == "approved"

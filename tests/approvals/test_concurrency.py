"""Two approvers deciding the same level at the same instant (PostgreSQL, real connections)."""

import threading

import pytest
from django.db import connection, connections

from facturier.approvals.models import ApprovalDecision, ApprovalRequest
from facturier.approvals.services import rule_save
from facturier.common.errors import BusinessError
from facturier.invoicing.models import Document
from facturier.invoicing.services import invoice_approve, invoice_submit

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_approvers_at_once_on_a_one_approval_level(entity, owner, approver, approver2, draft_invoice):
    assert connection.vendor == "postgresql"
    rule_save(entity=entity, by=owner, name="one of them",
              levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    invoice_submit(invoice=draft_invoice, by=owner)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(user):
        try:
            barrier.wait()
            invoice_approve(invoice=Document.objects.get(pk=draft_invoice.pk), by=user)
            outcomes.append("approved")
        except BusinessError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(user,)) for user in (approver, approver2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "illegal_transition"]
    assert ApprovalDecision.objects.filter(decision="approved").count() == 1
    assert ApprovalRequest.objects.get().status == "approved"

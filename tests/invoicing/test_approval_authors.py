"""Who created and who submitted a document is recorded on it, and neither of them may approve it."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied
from facturier.invoicing.models import Document
from facturier.invoicing.services import invoice_approve, invoice_reject, invoice_submit
from tests.api.conftest import make_key

backfill = importlib.import_module("facturier.invoicing.migrations.0005_document_created_submitted_by")


@pytest.fixture
def second_admin(entity, owner):
    user = get_user_model().objects.create_user("admin2", "admin2@example.fr", "pw-admin2-123")
    membership_set(entity=entity, user=user, role=Role.ADMIN, by=owner)
    return user


def test_creator_and_submitter_are_recorded_as_user_or_api_key(entity, draft_invoice, owner):
    key, _secret = make_key(entity, ["invoices:write"])
    invoice = invoice_submit(invoice=draft_invoice, by=key)
    assert (invoice.created_by, invoice.created_by_key) == (owner, None)
    assert (invoice.submitted_by, invoice.submitted_by_key) == (None, key)
    assert invoice.authors() == {f"user:{owner.pk}", f"apikey:{key.pk}"}


def test_the_submitter_who_did_not_create_it_cannot_approve_it_but_another_approver_can(
    entity, draft_invoice, second_admin, approver
):
    # given an administrator submitted an invoice someone else created
    entity.requires_approval = True
    entity.save()
    invoice = invoice_submit(invoice=draft_invoice, by=second_admin)
    # when they approve it, then it is refused
    with pytest.raises(PermissionDenied) as refused:
        invoice_approve(invoice=invoice, by=second_admin)
    assert refused.value.code == "approval_by_submitter"
    # and the approver may
    assert invoice_approve(invoice=invoice, by=approver).approved_by == approver


def test_a_rejection_keeps_its_comment_on_the_document_and_in_the_audit_trail(
    entity, draft_invoice, owner, approver
):
    entity.requires_approval = True
    entity.save()
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    invoice_reject(invoice=invoice, by=approver, reason="  Mauvais taux de TVA  ")
    event = AuditEvent.objects.get(action="invoice.rejected", object_id=str(invoice.pk))
    assert event.after["comment"] == "Mauvais taux de TVA"
    assert (event.before["status"], event.after["status"]) == ("pending_approval", "draft")
    assert event.actor == approver


def test_documents_pending_at_upgrade_get_their_authors_back_from_the_audit_trail(
    entity, draft_invoice, owner, colleague
):
    # given a pending invoice whose authors are not recorded (as before the upgrade)
    entity.requires_approval = True
    entity.save()
    invoice_submit(invoice=draft_invoice, by=colleague)
    Document.objects.filter(pk=draft_invoice.pk).update(created_by=None, submitted_by=None)
    # when the migration's backfill runs
    backfill.backfill_authors(apps, None)
    # then they are read back from the audit events, and the creator cannot approve it
    draft_invoice.refresh_from_db()
    assert (draft_invoice.created_by, draft_invoice.submitted_by) == (owner, colleague)
    with pytest.raises(PermissionDenied):
        invoice_approve(invoice=draft_invoice, by=owner)

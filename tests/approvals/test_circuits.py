"""Approval circuits on invoices: levels, decisions, the people who may not decide, delegation."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.approvals import errors
from facturier.approvals.models import ApprovalRequest, RequestStatus
from facturier.approvals.selectors import latest_request, waiting_for
from facturier.approvals.services import delegation_save, rule_save
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.models import Status
from facturier.invoicing.selectors import awaiting_approval_by, awaiting_approval_count
from facturier.invoicing.services import invoice_approve, invoice_reject, invoice_submit

pytestmark = pytest.mark.django_db
PARIS_NOON = dt.datetime(2024, 2, 29, 11, 0, tzinfo=dt.UTC)


def test_two_levels_in_order_with_history(entity, owner, approver, director, draft_invoice, two_levels):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert invoice.status == Status.PENDING_APPROVAL
    request = latest_request("document", invoice.pk)
    assert [level["rule"] for level in request.plan] == ["team lead", "finance director"]
    assert waiting_for(director, entity, dt.date.today()) == []  # not their level yet
    invoice = invoice_approve(invoice=invoice, by=approver, comment="ok for me")
    assert invoice.status == Status.PENDING_APPROVAL
    request.refresh_from_db()
    assert request.level == 1
    assert [r.pk for r in waiting_for(director, entity, dt.date.today())] == [request.pk]
    with pytest.raises(Conflict) as twice:
        invoice_approve(invoice=invoice, by=approver)
    assert twice.value.code == errors.ALREADY_DECIDED
    invoice = invoice_approve(invoice=invoice, by=director)
    assert invoice.status == Status.APPROVED
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    history = [(d.level, d.decision, d.actor_label, d.comment) for d in request.decisions.all()]
    assert history == [(0, "approved", "user:approver", "ok for me"), (1, "approved", "user:director", "")]


def test_the_menu_count_is_what_waits_for_each_person(
    entity, owner, approver, director, draft_invoice, two_levels
):
    # given nothing submitted: nothing waits for anyone
    people = (owner, approver, director)
    assert [awaiting_approval_count(person, entity) for person in people] == [0, 0, 0]
    # when the owner submits an invoice with two levels: the first level's approver has it, not the
    # author nor the second level yet
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert [awaiting_approval_count(person, entity) for person in people] == [0, 1, 0]
    # then after the first level, the director has it
    invoice_approve(invoice=invoice, by=approver)
    counts = [awaiting_approval_count(person, entity) for person in people]
    assert counts == [0, 0, 1]
    assert counts == [awaiting_approval_by(person, entity).count() for person in people]


def test_below_the_threshold_one_level_is_enough(entity, owner, approver, draft_invoice, two_levels):
    line = draft_invoice.lines.first()
    line.quantity = Decimal("0.1")
    line.save()
    draft_invoice.lines.exclude(pk=line.pk).delete()
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert [level["rule"] for level in latest_request("document", invoice.pk).plan] == ["team lead"]
    assert invoice_approve(invoice=invoice, by=approver).status == Status.APPROVED


def test_the_author_may_not_approve(entity, owner, director, draft_invoice, two_levels, approver):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    with pytest.raises(PermissionDenied) as refused:
        invoice_approve(invoice=invoice, by=owner)
    assert refused.value.code == "approval_by_submitter"


def test_someone_outside_the_level_may_not_approve(
    entity, owner, approver, director, draft_invoice, two_levels
):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    with pytest.raises(PermissionDenied) as refused:
        invoice_approve(invoice=invoice, by=director)  # an admin, but level 1 is for approvers
    assert refused.value.code == errors.NOT_AN_APPROVER


def test_reject_sends_back_to_draft_with_the_comment(entity, owner, approver, draft_invoice, two_levels):
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    with pytest.raises(ValidationFailed):
        invoice_reject(invoice=invoice, by=approver, reason=" ")
    invoice = invoice_reject(invoice=invoice, by=approver, reason="wrong rate")
    assert invoice.status == Status.DRAFT
    request = latest_request("document", invoice.pk)
    assert request.status == RequestStatus.REJECTED
    assert [(d.decision, d.comment) for d in request.decisions.all()] == [("rejected", "wrong rate")]
    # resubmitted: a new request, the old one kept in the history
    invoice_submit(invoice=invoice, by=owner)
    assert ApprovalRequest.objects.filter(subject_id=invoice.pk).count() == 2


def test_parallel_level_needs_n_of_m(entity, owner, approver, approver2, draft_invoice):
    rule_save(entity=entity, by=owner, name="two of them",
              levels=[{"roles": ["approver"], "users": [], "required": 2}])  # fmt: skip
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert invoice_approve(invoice=invoice, by=approver2).status == Status.PENDING_APPROVAL
    assert invoice_approve(invoice=invoice, by=approver).status == Status.APPROVED


def test_an_exception_per_customer_replaces_the_circuit(
    entity, owner, approver, director, customer, draft_invoice, two_levels
):
    rule_save(entity=entity, by=owner, name="key account", exception=True, parties=[str(customer.pk)],
              levels=[{"roles": [], "users": [str(director.pk)], "required": 1}])  # fmt: skip
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert [level["rule"] for level in latest_request("document", invoice.pk).plan] == ["key account"]
    assert invoice_approve(invoice=invoice, by=director).status == Status.APPROVED


def test_a_rule_nobody_can_decide_is_refused_when_saved(entity, owner, outsider):
    with pytest.raises(ValidationFailed) as refused:
        rule_save(entity=entity, by=owner, name="ghost",
                  levels=[{"roles": [], "users": [str(outsider.pk)], "required": 1}])  # fmt: skip
    assert refused.value.code == errors.NO_APPROVER
    with pytest.raises(ValidationFailed):
        rule_save(entity=entity, by=owner, name="too many", levels=[{"roles": ["approver"], "required": 1}])


def test_a_circuit_only_the_author_could_decide_is_refused_at_submission(entity, owner, draft_invoice):
    rule_save(entity=entity, by=owner, name="owner only",
              levels=[{"roles": [], "users": [str(owner.pk)], "required": 1}])  # fmt: skip
    with pytest.raises(ValidationFailed) as refused:
        invoice_submit(invoice=draft_invoice, by=owner)
    assert refused.value.code == errors.NO_APPROVER
    assert "owner only" in refused.value.message
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == Status.DRAFT


@time_machine.travel(PARIS_NOON, tick=False)
def test_a_delegate_decides_during_the_absence_only(
    entity, owner, approver, approver2, director, draft_invoice, two_levels
):
    delegation_save(entity=entity, by=owner, user=director, delegate=approver2,
                    starts_on=dt.date(2024, 2, 28), ends_on=dt.date(2024, 2, 29))  # fmt: skip
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    invoice_approve(invoice=invoice, by=approver)
    with pytest.raises(PermissionDenied):
        invoice_approve(invoice=invoice, by=director)  # away: the delegate decides
    assert invoice_approve(invoice=invoice, by=approver2).status == Status.APPROVED
    last = latest_request("document", invoice.pk).decisions.get(level=1)
    assert last.on_behalf_of == director


def test_a_delegation_must_make_sense(entity, owner, director, colleague):
    with pytest.raises(ValidationFailed):
        delegation_save(entity=entity, by=owner, user=director, delegate=director,
                        starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 1, 2))  # fmt: skip
    with pytest.raises(ValidationFailed):
        delegation_save(entity=entity, by=owner, user=director, delegate=owner,
                        starts_on=dt.date(2024, 1, 2), ends_on=dt.date(2024, 1, 1))  # fmt: skip
    with pytest.raises(ValidationFailed):  # an accountant cannot approve
        delegation_save(entity=entity, by=owner, user=director, delegate=colleague,
                        starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2024, 1, 2))  # fmt: skip


def test_requires_approval_alone_is_one_level(entity, owner, approver, draft_invoice):
    entity.requires_approval = True
    entity.save()
    invoice = invoice_submit(invoice=draft_invoice, by=owner)
    assert latest_request("document", invoice.pk).plan[0]["rule"] == "default"
    assert invoice_approve(invoice=invoice, by=approver).status == Status.APPROVED


def test_no_rule_no_approval(entity, owner, draft_invoice):
    assert invoice_submit(invoice=draft_invoice, by=owner).status == Status.APPROVED
    assert latest_request("document", draft_invoice.pk) is None


def test_amount_bounds_need_their_currency(entity, owner, approver):
    with pytest.raises(ValidationFailed) as refused:
        rule_save(entity=entity, by=owner, name="no currency", min_amount=Decimal("10"),
                  levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    assert refused.value.field == "currency"
    with pytest.raises(ValidationFailed):
        rule_save(entity=entity, by=owner, name="upside down", currency="EUR", min_amount=Decimal("10"),
                  max_amount=Decimal("5"), levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip

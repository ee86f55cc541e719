"""Reminders to late approvers and escalation, with the clock moved (time-machine)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from facturier.approvals.selectors import latest_request
from facturier.approvals.services import escalate_late, remind_late, rule_save
from facturier.invoicing.models import Status
from facturier.invoicing.services import invoice_approve, invoice_submit

pytestmark = pytest.mark.django_db
# the night of the DST change in Paris (31 March 2024, 02:00 -> 03:00)
SUBMITTED = dt.datetime(2024, 3, 30, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def email_on(settings):
    settings.EMAIL_URL = "memory://"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_late_approvers_get_one_reminder_per_delay_with_the_link(
    entity, owner, approver, draft_invoice, two_levels, email_on
):
    with time_machine.travel(SUBMITTED, tick=False) as clock:
        invoice = invoice_submit(invoice=draft_invoice, by=owner)
        clock.shift(dt.timedelta(hours=23, minutes=59))
        assert remind_late() == 0
        clock.shift(dt.timedelta(minutes=1))
        assert remind_late() == 1
        assert remind_late() == 0  # not twice for the same delay
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["approver@example.fr"]
        assert f"/approvals/{invoice.pk}/" in message.body
        clock.shift(dt.timedelta(hours=24))
        assert remind_late() == 1
    history = [d.decision for d in latest_request("document", invoice.pk).decisions.all()]
    assert history == ["reminded", "reminded"]


def test_escalation_to_a_fallback_approver(entity, owner, approver, approver2, director, draft_invoice):
    rule_save(entity=entity, by=owner, name="director", escalate_after_hours=48, fallback_user=approver2,
              levels=[{"roles": [], "users": [str(director.pk)], "required": 1}])  # fmt: skip
    with time_machine.travel(dt.datetime(2024, 12, 31, 10, 0, tzinfo=dt.UTC), tick=False) as clock:
        invoice = invoice_submit(invoice=draft_invoice, by=owner)
        clock.shift(dt.timedelta(hours=47))
        assert escalate_late() == 0
        clock.shift(dt.timedelta(hours=1))  # 2 January: New Year passed
        assert escalate_late() == 1
        assert escalate_late() == 0  # once
        assert invoice_approve(invoice=invoice, by=approver2).status == Status.APPROVED


def test_escalation_without_fallback_moves_to_the_next_level(
    entity, owner, approver, director, draft_invoice
):
    rule_save(entity=entity, by=owner, name="a lead", priority=1, escalate_after_hours=24,
              levels=[{"roles": ["approver"], "users": [], "required": 1}])  # fmt: skip
    rule_save(entity=entity, by=owner, name="b director", priority=2,
              levels=[{"roles": [], "users": [str(director.pk)], "required": 1}])  # fmt: skip
    with time_machine.travel(dt.datetime(2024, 2, 28, 12, 0, tzinfo=dt.UTC), tick=False) as clock:
        invoice = invoice_submit(invoice=draft_invoice, by=owner)
        clock.shift(dt.timedelta(hours=24))
        assert escalate_late() == 1
        request = latest_request("document", invoice.pk)
        assert request.level == 1
        assert request.skipped == [0]
        clock.shift(dt.timedelta(days=10))
        assert escalate_late() == 0  # the last level is never skipped: time alone approves nothing
        assert invoice_approve(invoice=invoice, by=director).status == Status.APPROVED

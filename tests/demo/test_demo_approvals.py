"""The demo's approval circuits: two levels, an absence ahead, one invoice waiting at the second level."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from facturier.approvals.models import ApprovalRequest, ApprovalRule, Delegation, RequestStatus
from facturier.demo.approvals import DIRECTOR_RULE, LEAD_RULE
from facturier.demo.loader import anchor_day, load_demo
from facturier.invoicing.models import Document, Status

pytestmark = pytest.mark.slow
TODAY = dt.datetime(2027, 2, 28, 23, 30, tzinfo=dt.UTC)  # already 1 March in Paris


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with time_machine.travel(TODAY), django_db_blocker.unblock(), transaction.atomic():
        yield load_demo(scale=0.1)
        transaction.set_rollback(True)


def test_two_level_rules_and_a_pending_second_level(demo, db):
    entity = demo.entity
    assert list(ApprovalRule.objects.for_entity(entity).values_list("name", flat=True)) == [
        LEAD_RULE,
        DIRECTOR_RULE,
    ]
    (absence,) = Delegation.objects.for_entity(entity)
    with time_machine.travel(TODAY):
        anchor = anchor_day()
    assert anchor == dt.date(2027, 3, 1)
    assert absence.starts_on == anchor + dt.timedelta(days=14)
    at_second = [
        r
        for r in ApprovalRequest.objects.for_entity(entity).filter(status=RequestStatus.PENDING)
        if r.level == 1
    ]
    (request,) = at_second
    assert [level["rule"] for level in request.plan] == [LEAD_RULE, DIRECTOR_RULE]
    waiting = Document.objects.get(pk=request.subject_id)
    assert waiting.status == Status.PENDING_APPROVAL
    assert waiting.cost_centre == request.facts["cost_centre"] == "DIR-COMMERCIALE"
    # the history still loaded: issued invoices exist
    assert Document.objects.filter(entity=entity, kind="invoice", seal_hash__gt="").count() > 10

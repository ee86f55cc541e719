"""Recording, approving and pricing time and expenses."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.timesheets.models import EntryStatus
from facturier.timesheets.rates import rate_for, rate_rule_create, rules_of
from facturier.timesheets.services import entry_decide, entry_submit, time_entry_create

pytestmark = pytest.mark.django_db


def test_an_entry_is_approved_by_a_manager_and_audited(entity, project, consultant, manager):
    entry = time_entry_create(entity=entity, project=project, person=consultant, by=consultant,
                              date=dt.date(2026, 3, 2), minutes=90)  # fmt: skip
    entry_submit(entry=entry, by=consultant)
    entry = entry_decide(entry=entry, by=manager, approve=True)
    assert entry.status == EntryStatus.APPROVED
    assert entry.decided_by == manager
    actions = list(AuditEvent.objects.filter(object_id=str(entry.pk)).values_list("action", flat=True))
    assert actions == ["time_entry.created", "time_entry.submitted", "time_entry.approved"]


def test_nobody_approves_their_own_time(entity, project, owner):
    # given the administrator logging and submitting their own time
    entry = time_entry_create(entity=entity, project=project, person=owner, by=owner, date=dt.date(2026, 3, 2),
                              minutes=30)  # fmt: skip
    entry_submit(entry=entry, by=owner)
    # then they may not approve it, though their role approves
    with pytest.raises(PermissionDenied):
        entry_decide(entry=entry, by=owner, approve=True)


def test_time_recorded_for_someone_is_not_approved_by_the_recorder(
    entity, project, consultant, owner, manager
):
    entry = time_entry_create(entity=entity, project=project, person=consultant, by=owner,
                              date=dt.date(2026, 3, 2), minutes=30)  # fmt: skip
    entry_submit(entry=entry, by=consultant)
    with pytest.raises(PermissionDenied):
        entry_decide(entry=entry, by=owner, approve=True)
    assert entry_decide(entry=entry, by=manager, approve=True).status == EntryStatus.APPROVED


def test_a_rejection_needs_a_reason_and_the_entry_can_be_submitted_again(
    entity, project, consultant, manager
):
    entry = time_entry_create(entity=entity, project=project, person=consultant, by=consultant,
                              date=dt.date(2026, 3, 2), minutes=30)  # fmt: skip
    entry_submit(entry=entry, by=consultant)
    with pytest.raises(ValidationFailed):
        entry_decide(entry=entry, by=manager, approve=False)
    entry = entry_decide(entry=entry, by=manager, approve=False, reason="Wrong project")
    assert entry.status == EntryStatus.REJECTED
    assert entry.rejection_reason == "Wrong project"
    with pytest.raises(Conflict):
        entry_decide(entry=entry, by=manager, approve=True)
    assert entry_submit(entry=entry, by=consultant).status == EntryStatus.SUBMITTED


def test_a_person_outside_the_company_or_a_bad_duration_is_refused(entity, project, consultant, outsider):
    with pytest.raises(ValidationFailed) as refused:
        time_entry_create(entity=entity, project=project, person=outsider, by=consultant, date=dt.date(2026, 3, 2),
                          minutes=30)  # fmt: skip
    assert refused.value.field == "person"
    for minutes in (0, 24 * 60 + 1):
        with pytest.raises(ValidationFailed):
            time_entry_create(entity=entity, project=project, person=consultant, by=consultant,
                              date=dt.date(2026, 3, 2), minutes=minutes)  # fmt: skip


def test_an_outsider_records_nothing(entity, project, outsider):
    with pytest.raises(PermissionDenied):
        time_entry_create(entity=entity, project=project, person=outsider, by=outsider, date=dt.date(2026, 3, 2),
                          minutes=30)  # fmt: skip


def test_the_rate_card_picks_the_most_specific_rate(
    entity, project, customer, consultant, owner, approved_time
):
    entry = approved_time(task="Audit", role="Senior")
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(80))
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(90), project=project)
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(90)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(100), role="senior")
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(100)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(105), customer=customer)
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(105)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(110), task="AUDIT")
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(110)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(120), person=consultant)
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(120)
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(130), person=consultant, customer=customer)
    assert rate_for(entry, rules_of(entity)).hourly_rate == Decimal(130)


def test_the_rate_card_refuses_duplicates_and_unranked_rules(entity, owner):
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(80), role="Senior")
    with pytest.raises(ValidationFailed):
        rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(85), role="senior")
    with pytest.raises(ValidationFailed):
        rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal(85), role="Junior", task="Audit")

"""The two-factor services: who may reset whom, what is audited where, and that a wrong code is counted
even though the operation it was meant for is refused."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts import two_factor
from facturier.accounts.models import TwoFactorPolicy
from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tests.conftest import make_entity

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def enroll(user, clock) -> list[str]:
    device = two_factor.totp_enrollment_start(user=user)
    codes = two_factor.totp_enrollment_confirm(user=user, device=device, code=f"{totp(device.bin_key):06d}")
    clock.shift(30)
    return codes


def current_code(user) -> str:
    return f"{totp(TOTPDevice.objects.get(user=user, confirmed=True).bin_key):06d}"


def test_an_admin_cannot_reset_a_member_who_also_acts_for_another_company(
    entity, owner, colleague, outsider, clock
):
    # given the accountant is also a member of the outsider's company, and has an authenticator
    other = make_entity(name="Troisième SAS", siren="404833048", admin_user=outsider)
    membership_set(entity=other, user=colleague, role=Role.SALES, by=outsider)
    enroll(colleague, clock)
    # when the owner (administrator of the first company only) resets it, then it is refused
    with pytest.raises(PermissionDenied) as refused:
        two_factor.two_factor_reset(entity=entity, user=colleague, by=owner)
    assert refused.value.code == "member_of_other_company"
    assert two_factor.is_enrolled(colleague)


def test_an_admin_cannot_reset_an_outsider_nor_themselves(entity, owner, outsider, clock):
    enroll(owner, clock)
    enroll(outsider, clock)
    # a user of another company does not exist for this administrator
    with pytest.raises(NotFound):
        two_factor.two_factor_reset(entity=entity, user=outsider, by=owner)
    # their own second factor is removed with a code, from their account page
    with pytest.raises(Conflict) as own:
        two_factor.two_factor_reset(entity=entity, user=owner, by=owner)
    assert own.value.code == "reset_own_two_factor"
    assert two_factor.is_enrolled(owner)
    assert two_factor.is_enrolled(outsider)


def test_events_about_a_user_go_to_every_company_they_act_for(entity, owner, colleague, outsider, clock):
    # given the accountant is a member of two companies
    other = make_entity(name="Troisième SAS", siren="404833048", admin_user=outsider)
    membership_set(entity=other, user=colleague, role=Role.SALES, by=outsider)
    # when they enroll, then both companies' audit chains record it
    enroll(colleague, clock)
    assert set(AuditEvent.objects.filter(action="two_factor.enrolled").values_list("entity", flat=True)) == {
        entity.pk,
        other.pk,
    }


def test_a_wrong_code_is_counted_even_when_the_operation_is_refused(entity, owner, clock):
    # given an enrolled user
    enroll(owner, clock)
    # when they try to turn it off with a wrong code
    with pytest.raises(ValidationFailed) as refused:
        two_factor.two_factor_disable(user=owner, code="999999")
    # then it is refused, still on, and the failure is kept (the next try must wait)
    assert refused.value.code == "wrong_two_factor_code"
    assert two_factor.is_enrolled(owner)
    assert TOTPDevice.objects.get(user=owner).throttling_failure_count == 1
    with pytest.raises(ValidationFailed) as throttled:
        two_factor.two_factor_disable(user=owner, code=current_code(owner))
    assert throttled.value.code == "two_factor_throttled"
    # once the wait is over, the right code works
    clock.shift(1)
    two_factor.two_factor_disable(user=owner, code=current_code(owner))
    assert not two_factor.is_enrolled(owner)


def test_each_wrong_code_doubles_the_wait(entity, owner, clock):
    enroll(owner, clock)
    device = TOTPDevice.objects.get(user=owner)
    waits = []
    for _attempt in range(4):
        assert not two_factor.two_factor_check(user=owner, code="000000").ok
        device.refresh_from_db()
        _allowed, details = device.verify_is_allowed()
        waits.append((details["locked_until"] - device.throttling_failure_timestamp).total_seconds())
        clock.shift(waits[-1])
    assert waits == [1, 2, 4, 8]


def test_an_unconfirmed_authenticator_signs_nobody_in(entity, owner, clock):
    # given an enrollment started but never confirmed
    device = two_factor.totp_enrollment_start(user=owner)
    # then its codes are not a second factor
    assert not two_factor.is_enrolled(owner)
    assert not two_factor.two_factor_check(user=owner, code=f"{totp(device.bin_key):06d}").ok


def test_enrolling_twice_is_refused(entity, owner, clock):
    enroll(owner, clock)
    with pytest.raises(Conflict):
        two_factor.totp_enrollment_start(user=owner)


def test_the_policy_accepts_only_its_values(entity, owner):
    with pytest.raises(ValidationFailed) as refused:
        two_factor.two_factor_policy_set(entity=entity, policy="sometimes", by=owner)
    assert refused.value.field == "two_factor_policy"


def test_the_policy_binds_users_through_any_of_their_companies(entity, owner, colleague, outsider):
    # given the accountant is a salesperson elsewhere, where everyone must use a second factor
    other = make_entity(name="Troisième SAS", siren="404833048", admin_user=outsider)
    membership_set(entity=other, user=colleague, role=Role.SALES, by=outsider)
    assert not two_factor.is_required(colleague)
    two_factor.two_factor_policy_set(entity=other, policy=TwoFactorPolicy.EVERYONE, by=None)
    # then they must use one, everywhere (a session spans companies)
    assert [e.name for e in two_factor.entities_requiring(colleague)] == ["Troisième SAS"]


def test_the_operator_resets_the_last_administrator_from_the_command_line(entity, owner, clock, capsys):
    # given the only administrator lost their phone and their recovery codes
    enroll(owner, clock)
    # when the server's operator runs the command
    call_command("two_factor_reset", "owner")
    # then the second factor is gone, audited as done by the system
    assert not two_factor.is_enrolled(owner)
    event = AuditEvent.objects.get(entity=entity, action="two_factor.reset")
    assert event.actor_label == "system"
    assert "owner" in capsys.readouterr().err
    # and a second run, or an unknown user, says so
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "owner")
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "nobody")


def test_a_user_without_company_is_audited_in_the_global_chain(db, clock):
    user = get_user_model().objects.create_user("lonely", "lonely@example.fr", "pw-lonely-123")
    enroll(user, clock)
    assert AuditEvent.objects.get(action="two_factor.enrolled").entity is None


def test_second_factors_are_not_in_the_django_admin():
    # the admin would show TOTP keys and recovery codes and change them without an audit event
    from django.contrib import admin
    from django_otp.plugins.otp_static.models import StaticDevice

    assert not admin.site.is_registered(TOTPDevice)
    assert not admin.site.is_registered(StaticDevice)

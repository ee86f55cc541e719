"""Two-factor authentication: a TOTP device (an authenticator app) and ten one-time recovery codes per user,
and the per-entity policy that makes them mandatory.

The devices are django-otp's (`TOTPDevice`, `StaticDevice`): they bring the code checks, the replay guard
(a TOTP code is accepted once) and the throttling (each wrong code doubles the wait before the next try).
A wrong code must still count when the operation it was meant for is refused, so the check runs in its own
transaction (`two_factor_check`) and the writes that need a code run after it, each in one transaction with
its audit event. Events about a user's second factor go to the audit chain of every entity they are a
member of: each company's administrators see what happened to the accounts that can act for it.
"""

import secrets
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from facturier.accounts.actor import SYSTEM, Actor, as_actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.models import LegalEntity, Membership, TwoFactorPolicy
from facturier.accounts.roles import Action, Role
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

RECOVERY_CODE_COUNT = 10
# Letters and digits that cannot be mistaken for one another when copied from paper (no 0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10  # ~49 bits each; shown as two groups of five
REQUIRED_ROLES: dict[str, frozenset[Role]] = {
    TwoFactorPolicy.OPTIONAL: frozenset(),
    TwoFactorPolicy.ADMINS_AND_ACCOUNTANTS: frozenset({Role.ADMIN, Role.ACCOUNTANT}),
    TwoFactorPolicy.EVERYONE: frozenset(Role),
}
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery codes"


# --- reads -------------------------------------------------------------------------------------------


def totp_device(user: Any) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def is_enrolled(user: Any) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def recovery_codes_left(user: Any) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def entities_requiring(user: Any) -> list[LegalEntity]:
    """The entities whose policy requires a second factor of this user, for the role they hold there."""
    memberships = Membership.objects.filter(user__pk=user.pk or 0).select_related("entity")
    return [m.entity for m in memberships if Role(m.role) in REQUIRED_ROLES[m.entity.two_factor_policy]]


def is_required(user: Any) -> bool:
    return bool(entities_requiring(user))


def policy_requires(policy: str, role: str) -> bool:
    return Role(role) in REQUIRED_ROLES[policy]


def format_secret(device: TOTPDevice) -> str:
    """The key in base32, by groups of four, for typing into an app when the QR code cannot be scanned."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalize_code(code: str) -> str:
    """What the user typed, without spaces, dashes and case: `abcde-fghjk`, `ABCDE FGHJK` are one code."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def display_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


# --- checking a code ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of one code: the device that accepted it, or why none did."""

    device: TOTPDevice | StaticDevice | None
    locked_until: datetime | None = None  # while the device refuses every code after wrong ones

    @property
    def ok(self) -> bool:
        return self.device is not None


@transaction.atomic
def two_factor_check(*, user: Any, code: str) -> CodeCheck:
    """Check a code from the authenticator (six digits) or a recovery code (consumed when accepted).

    Wrong codes are counted by the device (django-otp's throttling) and committed even though the caller
    refuses what was asked. A recovery code used is audited: it means the phone was not at hand.
    """
    code = normalize_code(code)
    if code.isdigit() and len(code) <= 8:
        device: TOTPDevice | StaticDevice | None = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).order_by("id").first()
        )
    else:
        device = StaticDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
    if device is None or not code:
        return CodeCheck(device=None)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(device=None, locked_until=(details or {}).get("locked_until"))
    if not device.verify_token(code):
        return CodeCheck(device=None)  # counted: the next try waits 1, 2, 4... seconds
    if isinstance(device, StaticDevice):
        _audit_user(user, by=as_actor(user), action="two_factor.recovery_code_used",
                    after={"codes_left": device.token_set.count()})  # fmt: skip
    return CodeCheck(device=device)


def _wrong_code(check: CodeCheck) -> ValidationFailed:
    if check.locked_until is not None:
        return ValidationFailed(
            _("Too many wrong codes: wait a moment before trying again."),
            field="code",
            code="two_factor_throttled",
            locked_until=check.locked_until,
        )
    return ValidationFailed(_("This code is not valid."), field="code", code="wrong_two_factor_code")


def require_code(*, user: Any, code: str) -> CodeCheck:
    """`two_factor_check` for operations that need proof of the second factor: raises on a wrong code."""
    check = two_factor_check(user=user, code=code)
    if not check.ok:
        raise _wrong_code(check)
    return check


# --- enrollment and recovery codes -------------------------------------------------------------------


@transaction.atomic
def totp_enrollment_start(*, user: Any) -> TOTPDevice:
    """The authenticator being set up: the same unconfirmed key until it is confirmed, so reloading the
    page does not invalidate a QR code already scanned."""
    if is_enrolled(user):
        raise Conflict(_("Two-factor authentication is already set up."), code="two_factor_enrolled")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)


def totp_enrollment_confirm(*, user: Any, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with its first code; returns the recovery codes, shown once."""
    if device.user_id != user.pk or device.confirmed:
        raise Conflict(_("Two-factor authentication is already set up."), code="two_factor_enrolled")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        allowed, details = device.verify_is_allowed()
        accepted = allowed and device.verify_token(normalize_code(code))
    if not accepted:
        raise _wrong_code(CodeCheck(device=None, locked_until=None if allowed else details["locked_until"]))
    return _enroll(user=user, device=device)


@transaction.atomic
def _enroll(*, user: Any, device: TOTPDevice) -> list[str]:
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _audit_user(user, by=as_actor(user), action="two_factor.enrolled", after={"recovery_codes": len(codes)})
    return codes


def _new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [display_code(code) for code in codes]


def recovery_codes_regenerate(*, user: Any, code: str) -> list[str]:
    """New recovery codes (the old ones stop working), after a code proves the second factor."""
    require_code(user=user, code=code)
    return _regenerate(user=user)


@transaction.atomic
def _regenerate(*, user: Any) -> list[str]:
    if not is_enrolled(user):
        raise Conflict(_("Two-factor authentication is not set up."), code="two_factor_not_enrolled")
    codes = _new_recovery_codes(user)
    _audit_user(
        user, by=as_actor(user), action="two_factor.recovery_codes_regenerated", after={"count": len(codes)}
    )
    return codes


# --- turning it off ----------------------------------------------------------------------------------


def two_factor_disable(*, user: Any, code: str) -> None:
    """The user removes their authenticator and recovery codes, proving it with a code. Where a policy
    requires a second factor they are asked to set up a new one at once (a new phone)."""
    require_code(user=user, code=code)
    _remove_devices(user=user, by=as_actor(user), action="two_factor.disabled", after={})


@transaction.atomic
def two_factor_reset(*, entity: LegalEntity, user: Any, by: Actor) -> None:
    """An administrator removes a colleague's second factor (a lost phone); they enroll again at their
    next sign-in when a policy requires it.

    Only for a colleague whose every company is one `by` administers: the administrator of one company
    cannot weaken an account that also acts for another. Their own second factor is removed with a code
    (`two_factor_disable`), or by the server's operator (`facturier manage two_factor_reset`, `by=SYSTEM`).
    """
    authorize(by, Action.MANAGE_ENTITY, entity)
    if not Membership.objects.filter(entity=entity, user__pk=user.pk).exists():
        raise NotFound(
            _("This user is not a member of %(name)s.") % {"name": entity.name}, code="not_a_member"
        )
    acting_user, _key = user_and_key(by)
    if acting_user is not None and acting_user.pk == user.pk:
        raise Conflict(
            _("Turn off your own two-factor authentication from your account page, with a code."),
            code="reset_own_two_factor",
        )
    if acting_user is not None:
        administered = set(
            Membership.objects.filter(user__pk=acting_user.pk, role=Role.ADMIN).values_list(
                "entity_id", flat=True
            )
        )
        theirs = set(Membership.objects.filter(user__pk=user.pk).values_list("entity_id", flat=True))
        if theirs - administered:
            raise PermissionDenied(
                _(
                    "%(username)s is also a member of a company you do not administer: its administrators "
                    "or the server's operator must reset their two-factor authentication."
                )
                % {"username": user.get_username()},
                code="member_of_other_company",
            )
    if not is_enrolled(user) and not StaticDevice.objects.filter(user=user).exists():
        raise Conflict(
            _("%(username)s has no two-factor authentication to reset.") % {"username": user.get_username()},
            code="two_factor_not_enrolled",
        )
    _remove_devices(user=user, by=by, action="two_factor.reset", after={"from_entity": entity.name})


def two_factor_reset_by_operator(*, user: Any) -> None:
    """The server's operator removes a user's second factor (`facturier manage two_factor_reset`): the
    way back for an administrator who lost their phone and their recovery codes."""
    if not is_enrolled(user) and not StaticDevice.objects.filter(user=user).exists():
        raise Conflict(
            _("%(username)s has no two-factor authentication to reset.") % {"username": user.get_username()},
            code="two_factor_not_enrolled",
        )
    _remove_devices(user=user, by=SYSTEM, action="two_factor.reset", after={"from_entity": ""})


@transaction.atomic
def _remove_devices(*, user: Any, by: Actor, action: str, after: dict[str, Any]) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit_user(user, by=by, action=action, after=after)


# --- the policy --------------------------------------------------------------------------------------


@transaction.atomic
def two_factor_policy_set(*, entity: LegalEntity, policy: str, by: Actor) -> LegalEntity:
    """Set who must use a second factor in `entity` (administrators only, audited).

    An administrator the new policy binds must have enrolled first, so that requiring it can never lock
    out the person requiring it.
    """
    entity = LegalEntity.objects.select_for_update().get(pk=entity.pk)
    authorize(by, Action.MANAGE_ENTITY, entity)
    if policy not in TwoFactorPolicy.values:
        raise ValidationFailed(
            _("Unknown two-factor policy '%(policy)s'.") % {"policy": policy},
            field="two_factor_policy",
            code="invalid_two_factor_policy",
        )
    acting_user, _key = user_and_key(by)
    if acting_user is not None and policy_requires(policy, Role.ADMIN) and not is_enrolled(acting_user):
        raise Conflict(
            _("Set up two-factor authentication for yourself before requiring it."),
            field="two_factor_policy",
            code="two_factor_enroll_first",
        )
    before = entity.two_factor_policy
    if before == policy:
        return entity
    entity.two_factor_policy = policy
    entity.save(update_fields=["two_factor_policy", "updated_at"])
    audit_record(entity=entity, actor=by, action="two_factor.policy_changed", obj=entity,
                 before={"two_factor_policy": before}, after={"two_factor_policy": policy})  # fmt: skip
    return entity


def _audit_user(user: Any, *, by: Actor, action: str, after: dict[str, Any]) -> None:
    """One event per entity the user is a member of (the global chain when they have none)."""
    entities: list[LegalEntity | None] = list(
        LegalEntity.objects.filter(memberships__user__pk=user.pk).order_by("pk")
    )
    record = {"user": user.get_username(), **after}
    account = get_user_model().objects.get(pk=user.pk)
    for entity in entities or [None]:
        audit_record(entity=entity, actor=by, action=action, obj=account, after=record)

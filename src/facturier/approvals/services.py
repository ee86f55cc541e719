"""Approval circuits: save rules and delegations, open a request when a document is submitted, record
decisions, remind late approvers and escalate.

Invoicing and the inbox call ``request_open`` / ``request_decide`` inside their own transaction and move
their document when the request ends; this module never touches their rows (it is below them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import SYSTEM, Actor, UserActor, as_actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action, Role
from facturier.approvals import engine, errors
from facturier.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    Decision,
    Delegation,
    RequestStatus,
)
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.domain.approvals import approvers, prechecks, rules

RESOURCE = {"invoice": "invoices", "credit_note": "credit_notes", "supplier_invoice": "inbox"}


def entity_today(entity: LegalEntity) -> dt.date:
    return timezone.localdate(timezone=ZoneInfo(entity.time_zone))


def _state(rule: ApprovalRule) -> dict[str, Any]:
    return {
        "name": rule.name, "priority": rule.priority, "active": rule.active, "exception": rule.exception,
        "document_types": rule.document_types, "min_amount": str(rule.min_amount or ""),
        "max_amount": str(rule.max_amount or ""), "currency": rule.currency, "parties": rule.parties,
        "cost_centres": rule.cost_centres, "countries": rule.countries, "projects": rule.projects,
        "levels": rule.levels, "remind_after_hours": rule.remind_after_hours,
        "escalate_after_hours": rule.escalate_after_hours, "fallback_user": rule.fallback_user_id,
    }  # fmt: skip


def _level_name(level: dict[str, Any], index: int) -> str:
    return str(level.get("label") or _("level %(number)s") % {"number": index + 1})


def _check_levels(entity: LegalEntity, levels: list[dict[str, Any]]) -> None:
    """Refuse a rule whose levels nobody in the entity could decide (it would block every document)."""
    if not levels:
        raise ValidationFailed(_("A rule needs at least one level."), field="levels", code=errors.NO_APPROVER)
    roles = set(Role.values)
    member_roles = engine.members(entity)
    for index, level in enumerate(levels):
        unknown = set(level.get("roles", ())) - roles
        if unknown or int(level.get("required", 1)) < 1:
            raise ValidationFailed(
                _("Level %(number)s is not valid.") % {"number": index + 1}, field="levels", code=errors.INVALID_RULE
            )  # fmt: skip
        spec = engine.level_spec(level)
        available = approvers.candidates(spec, member_roles, day=entity_today(entity))
        if approvers.shortfall(spec, available):
            raise ValidationFailed(
                _("Nobody could approve %(level)s: it needs %(required)s approver(s) and %(found)s of the "
                  "company's users match its roles and names.")
                % {"level": _level_name(level, index), "required": spec.required, "found": len(available)},
                field="levels", code=errors.NO_APPROVER,
            )  # fmt: skip


@transaction.atomic
def rule_save(
    *, entity: LegalEntity, by: Actor, rule: ApprovalRule | None = None, **fields: Any
) -> ApprovalRule:
    """Create or change a rule; refused when one of its levels could not be decided by anyone."""
    authorize(by, Action.MANAGE_ENTITY, entity)
    row = rule or ApprovalRule(entity=entity)
    if row.entity_id != entity.pk:
        raise PermissionDenied(_("This rule belongs to another company."))
    before = _state(row) if rule else None
    for name, value in fields.items():
        setattr(row, name, value)
    if not str(row.name).strip():
        raise ValidationFailed(_("Give the rule a name."), field="name", code=errors.INVALID_RULE)
    if row.min_amount is not None and row.max_amount is not None and row.min_amount >= row.max_amount:
        raise ValidationFailed(
            _("The lower amount must be below the upper amount."),
            field="max_amount",
            code=errors.INVALID_RULE,
        )
    if (row.min_amount is not None or row.max_amount is not None) and len(str(row.currency or "")) != 3:
        raise ValidationFailed(
            _("Give the currency of the amounts (EUR...): amounts in another currency never match."),
            field="currency", code=errors.INVALID_RULE,
        )  # fmt: skip
    unknown = set(row.document_types) - set(rules.DOCUMENT_TYPES)
    if unknown:
        raise ValidationFailed(_("Unknown document type."), field="document_types", code=errors.INVALID_RULE)
    if row.active:
        _check_levels(entity, list(row.levels))
    if ApprovalRule.objects.filter(entity=entity).filter(name=row.name).exclude(pk=row.pk).exists():
        raise ValidationFailed(_("A rule with this name exists."), field="name", code=errors.INVALID_RULE)
    row.save()
    audit_record(
        entity=entity, actor=by, action="approval_rule.saved", obj=row, before=before, after=_state(row)
    )
    return row


@transaction.atomic
def rule_delete(*, rule: ApprovalRule, by: Actor) -> None:
    authorize(by, Action.MANAGE_ENTITY, rule.entity)
    audit_record(entity=rule.entity, actor=by, action="approval_rule.deleted", obj=rule, before=_state(rule))
    rule.delete()


@transaction.atomic
def delegation_save(
    *, entity: LegalEntity, by: Actor, user: Any, delegate: Any, starts_on: dt.date, ends_on: dt.date
) -> Delegation:
    """An absence: ``delegate`` decides for ``user`` from ``starts_on`` to ``ends_on`` (inclusive).

    An administrator records anyone's; an approver records their own."""
    acting = as_actor(by)
    own = isinstance(acting, UserActor) and acting.account.pk == user.pk
    authorize(by, Action.APPROVE if own else Action.MANAGE_ENTITY, entity, resource="invoices")
    member_roles = engine.members(entity)
    if ends_on < starts_on:
        raise ValidationFailed(
            _("The absence ends before it starts."), field="ends_on", code=errors.INVALID_DELEGATION
        )
    if user.pk == delegate.pk:
        raise ValidationFailed(
            _("Choose someone else as delegate."), field="delegate", code=errors.INVALID_DELEGATION
        )
    if str(delegate.pk) not in member_roles or member_roles[str(delegate.pk)] not in (
        Role.ADMIN,
        Role.APPROVER,
    ):
        raise ValidationFailed(
            _("The delegate must be an administrator or approver of the company."),
            field="delegate", code=errors.INVALID_DELEGATION,
        )  # fmt: skip
    row = Delegation.objects.create(
        entity=entity, user=user, delegate=delegate, starts_on=starts_on, ends_on=ends_on
    )
    audit_record(
        entity=entity, actor=by, action="approval_delegation.saved", obj=row,
        after={"user": user.pk, "delegate": delegate.pk, "starts_on": str(starts_on), "ends_on": str(ends_on)},
    )  # fmt: skip
    return row


@transaction.atomic
def delegation_delete(*, delegation: Delegation, by: Actor) -> None:
    authorize(by, Action.MANAGE_ENTITY, delegation.entity)
    audit_record(entity=delegation.entity, actor=by, action="approval_delegation.deleted", obj=delegation,
                 before={"user": delegation.user_id, "delegate": delegation.delegate_id})  # fmt: skip
    delegation.delete()


def _plan(entity: LegalEntity, facts: rules.Facts, default_one_level: bool) -> list[dict[str, Any]]:
    rows = ApprovalRule.objects.filter(entity=entity).filter(active=True).select_related("fallback_user")
    by_name = {row.name: row for row in rows}
    plan = rules.plan_for([engine.to_rule(row) for row in rows], facts)
    levels: list[dict[str, Any]] = []
    for planned in plan.levels:
        row = by_name[planned.rule]
        spec = planned.spec
        levels.append({
            "label": spec.label, "roles": sorted(spec.roles), "users": sorted(spec.users),
            "required": spec.required, "rule": planned.rule, "remind_after_hours": row.remind_after_hours,
            "escalate_after_hours": row.escalate_after_hours,
            "fallback": str(row.fallback_user_id) if row.fallback_user_id else "",
        })  # fmt: skip
    if not levels and default_one_level:
        levels.append({**engine.DEFAULT_LEVEL, "rule": engine.DEFAULT_RULE, "remind_after_hours": 24,
                       "escalate_after_hours": None, "fallback": ""})  # fmt: skip
    return levels


def precheck_level() -> dict[str, Any]:
    """The review level the supplier pre-checks add when they find something."""
    return {
        "label": str(_("pre-check review")), "roles": [Role.ADMIN.value, Role.APPROVER.value], "users": [],
        "required": 1, "rule": engine.PRECHECK_RULE, "remind_after_hours": 24, "escalate_after_hours": None,
        "fallback": "",
    }  # fmt: skip


@transaction.atomic
def request_open(
    *,
    entity: LegalEntity,
    by: Actor,
    subject_type: str,
    subject_id: UUID,
    label: str,
    facts: rules.Facts,
    authors: Iterable[str],
    default_one_level: bool = False,
    findings: Iterable[prechecks.Finding] = (),
) -> ApprovalRequest | None:
    """Start the circuit of a submitted document; None when no rule asks for an approval.

    Refused (nothing written) when a level could not be decided by anyone but the document's authors:
    the submitter learns it now rather than waiting for an approval that cannot come.
    """
    authorize(by, Action.SUBMIT, entity, resource=RESOURCE.get(facts.document_type, "invoices"))
    found = list(findings)
    plan = _plan(entity, facts, default_one_level)
    if found:
        plan.append(precheck_level())
    if not plan:
        return None
    now = timezone.now()
    ApprovalRequest.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=RequestStatus.PENDING
    ).update(status=RequestStatus.WITHDRAWN, finished_at=now)
    request = ApprovalRequest(
        entity=entity, subject_type=subject_type, subject_id=subject_id, label=label[:300],
        facts=engine.facts_to_json(facts), author_refs=sorted(set(authors)), plan=plan,
        findings=[{"code": f.code, "detail": f.detail} for f in found], level_started_at=now, submitted_at=now,
    )  # fmt: skip
    member_roles = engine.members(entity)
    day = entity_today(entity)
    for index, level in enumerate(plan):
        if level["rule"] == engine.DEFAULT_RULE:
            continue  # `requires_approval` alone: as before, an API key with the approve scope may decide it
        spec = engine.level_spec(level)
        available = engine.level_candidates(request, day, index=index, member_roles=member_roles)
        if approvers.shortfall(spec, available):
            raise ValidationFailed(
                _("Nobody can approve this document at %(level)s (rule “%(rule)s”): it needs "
                  "%(required)s approver(s) other than its author, %(found)s available. Ask an administrator "
                  "to change the approval rules.")
                % {"level": _level_name(level, index), "rule": level["rule"], "required": spec.required,
                   "found": len(available)},
                code=errors.NO_APPROVER,
            )  # fmt: skip
    request.save()
    audit_record(entity=entity, actor=by, action="approval.requested", obj=request,
                 after={"subject": label, "levels": [lvl["rule"] for lvl in plan], "findings": request.findings})  # fmt: skip
    return request


def pending_request(subject_type: str, subject_id: UUID) -> ApprovalRequest | None:
    return (
        ApprovalRequest.objects.select_for_update()
        .filter(subject_type=subject_type, subject_id=subject_id, status=RequestStatus.PENDING)
        .first()
    )


def _record(
    request: ApprovalRequest, by: Actor, decision: str, comment: str = "", behalf: Any = None
) -> None:
    acting = as_actor(by)
    ApprovalDecision.objects.create(
        entity=request.entity, request=request, level=request.level, decision=decision,
        actor_ref=acting.ref or "", actor_label=acting.label, on_behalf_of_id=behalf, comment=comment,
        decided_at=timezone.now(),
    )  # fmt: skip


def _check_decider(request: ApprovalRequest, by: Actor) -> str | None:
    """Refuse who may not decide the current level; the user they stand in for, if a delegate."""
    acting = as_actor(by)
    if acting.ref is not None and acting.ref in engine.approved_by(request):
        raise Conflict(_("You already approved this document: another approver must decide."),
                       code=errors.ALREADY_DECIDED)  # fmt: skip
    if acting.trusted or not isinstance(acting, UserActor):
        level = request.plan[request.level]
        if acting.trusted or level.get("roles"):
            return None  # a key with the approve scope counts as a role-based approver
        raise PermissionDenied(
            _("This level must be decided by the people it names."), code=errors.NOT_AN_APPROVER
        )
    user_id = str(acting.account.pk)
    day = entity_today(request.entity)
    allowed = engine.level_candidates(request, day)
    if user_id not in allowed:
        raise PermissionDenied(
            _("You are not an approver of %(level)s of this document.")
            % {"level": _level_name(request.plan[request.level], request.level)},
            code=errors.NOT_AN_APPROVER,
        )
    # standing in for someone: the absent approver this delegate replaces
    spec = engine.level_spec(request.plan[request.level])
    direct = approvers.candidates(spec, engine.members(request.entity), day=day)
    if user_id in direct:
        return None
    absent = [d.user for d in engine.delegations(request.entity) if d.delegate == user_id and d.active(day)]
    return next((u for u in absent if u in direct), None)


@transaction.atomic
def request_decide(
    *, request: ApprovalRequest, by: Actor, approve: bool, comment: str = ""
) -> ApprovalRequest:
    """Approve the current level, or reject the document (with a comment). Approved when every level is."""
    authorize(by, Action.APPROVE if approve else Action.REJECT, request.entity, request)
    request = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.PENDING:
        raise Conflict(_("This approval is no longer pending."), code=errors.NOT_PENDING)
    comment = comment.strip()
    acting = as_actor(by)
    if not approve:
        if not comment:
            raise ValidationFailed(
                _("Say why the document is rejected."), field="reason", code=errors.REQUIRED
            )
        is_author = acting.ref is not None and acting.ref in request.authors()
        behalf = None if is_author else _check_decider(request, by)
        _record(request, by, Decision.REJECTED, comment, behalf)
        request.status, request.finished_at = RequestStatus.REJECTED, timezone.now()
        request.save()
        audit_record(entity=request.entity, actor=by, action="approval.rejected", obj=request,
                     after={"level": request.level, "comment": comment})  # fmt: skip
        return request
    behalf = _check_decider(request, by)
    level = request.level
    _record(request, by, Decision.APPROVED, comment, behalf)
    _advance(request)
    audit_record(entity=request.entity, actor=by, action="approval.approved", obj=request,
                 after={"level": level, "status": request.status, "comment": comment,
                        "on_behalf_of": behalf})  # fmt: skip
    return request


def _advance(request: ApprovalRequest) -> None:
    counts = [0] * len(request.plan)
    for level in request.decisions.filter(decision=Decision.APPROVED).values_list("level", flat=True):
        counts[level] += 1
    state = rules.progress(
        [int(lvl["required"]) for lvl in request.plan], counts, False, frozenset(request.skipped)
    )
    now = timezone.now()
    if state.approved:
        request.status, request.finished_at = RequestStatus.APPROVED, now
    elif state.level is not None and state.level != request.level:
        request.level, request.level_started_at, request.last_reminded_at = state.level, now, None
    request.save()


def withdraw(*, subject_type: str, subject_id: UUID) -> None:
    """The document left the circuit another way (its own reject path): close its request."""
    ApprovalRequest.objects.filter(
        subject_type=subject_type, subject_id=subject_id, status=RequestStatus.PENDING
    ).update(status=RequestStatus.WITHDRAWN, finished_at=timezone.now())


def _hours_since(moment: dt.datetime, now: dt.datetime) -> Decimal:
    return Decimal((now - moment).total_seconds()) / 3600


def remind_late(now: dt.datetime | None = None) -> int:
    """Email the approvers of every level waiting longer than its rule's reminder delay (again after the
    same delay); how many requests were reminded."""
    from facturier.approvals.notify import send_reminder

    now = now or timezone.now()
    sent = 0
    for request in ApprovalRequest.objects.filter(status=RequestStatus.PENDING).select_related("entity"):
        level = request.plan[request.level]
        since = request.last_reminded_at or request.level_started_at
        if _hours_since(since, now) < int(level.get("remind_after_hours") or 24):
            continue
        with transaction.atomic():
            locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != RequestStatus.PENDING or locked.last_reminded_at != request.last_reminded_at:
                continue
            recipients = send_reminder(locked, entity_today(locked.entity))
            locked.last_reminded_at = now
            locked.save(update_fields=["last_reminded_at", "updated_at"])
            _record(locked, SYSTEM, Decision.REMINDED, ", ".join(recipients))
            audit_record(entity=locked.entity, actor=SYSTEM, action="approval.reminded", obj=locked,
                         after={"level": locked.level, "recipients": recipients})  # fmt: skip
            sent += 1
    return sent


def escalate_late(now: dt.datetime | None = None) -> int:
    """Escalate every level waiting longer than its rule's escalation delay, once: its fallback approver
    may then decide it too, or, without one, the level is skipped for the next (which then needs its own
    approvers). A last level without fallback is never skipped: nothing is approved by time alone."""
    now = now or timezone.now()
    done = 0
    for request in ApprovalRequest.objects.filter(status=RequestStatus.PENDING).select_related("entity"):
        level = request.plan[request.level]
        delay = level.get("escalate_after_hours")
        if (
            not delay
            or request.level in request.escalated
            or _hours_since(request.level_started_at, now) < int(delay)
        ):
            continue
        fallback = str(level.get("fallback") or "")
        if not fallback and request.level + 1 >= len(request.plan):
            continue
        with transaction.atomic():
            locked = ApprovalRequest.objects.select_for_update().get(pk=request.pk)
            if locked.status != RequestStatus.PENDING or locked.level != request.level:
                continue
            index = locked.level
            locked.escalated = [*locked.escalated, index]
            if fallback:
                extra = dict(locked.extra_approvers)
                extra[str(index)] = sorted({*extra.get(str(index), []), fallback})
                locked.extra_approvers = extra
                target = f"user:{fallback}"
            else:
                locked.skipped = [*locked.skipped, index]
                target = f"level:{index + 2}"
            _record(locked, SYSTEM, Decision.ESCALATED, target)
            if fallback:
                locked.save()
            else:
                _advance(locked)
            audit_record(entity=locked.entity, actor=SYSTEM, action="approval.escalated", obj=locked,
                         after={"level": index, "to": target})  # fmt: skip
            done += 1
    return done

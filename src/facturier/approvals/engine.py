"""Rows to the pure engine's values and back (``facturier.domain.approvals``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from facturier.accounts.models import LegalEntity, Membership
from facturier.accounts.roles import Role
from facturier.approvals.models import ApprovalRequest, ApprovalRule, Delegation
from facturier.domain.approvals import approvers, rules

# `requires_approval` without rules: one level, any administrator or approver (what it always meant).
DEFAULT_RULE = "default"
DEFAULT_LEVEL = {"label": "", "roles": [Role.ADMIN.value, Role.APPROVER.value], "users": [], "required": 1}
PRECHECK_RULE = "pre-checks"


def level_spec(level: dict[str, Any]) -> rules.LevelSpec:
    return rules.LevelSpec(
        roles=frozenset(str(r) for r in level.get("roles", ())),
        users=frozenset(str(u) for u in level.get("users", ())),
        required=int(level.get("required", 1)),
        label=str(level.get("label", "")),
    )


def to_rule(row: ApprovalRule) -> rules.Rule:
    return rules.Rule(
        name=row.name,
        levels=tuple(level_spec(level) for level in row.levels),
        document_types=frozenset(row.document_types),
        min_amount=row.min_amount,
        max_amount=row.max_amount,
        currency=row.currency,
        parties=frozenset(str(p) for p in row.parties),
        cost_centres=frozenset(row.cost_centres),
        countries=frozenset(row.countries),
        projects=frozenset(row.projects),
        exception=row.exception,
        priority=row.priority,
    )


def facts_to_json(facts: rules.Facts) -> dict[str, str]:
    return {name: str(value) for name, value in facts.__dict__.items()}


def facts_from_json(data: dict[str, str]) -> rules.Facts:
    return rules.Facts(**{**data, "amount": Decimal(data["amount"])})  # type: ignore[arg-type]


def members(entity: LegalEntity) -> dict[str, str]:
    """User id -> role, for the active users of the entity."""
    rows = Membership.objects.filter(entity=entity, user__is_active=True).values_list("user_id", "role")
    return {str(user): role for user, role in rows}


def delegations(entity: LegalEntity) -> list[approvers.Delegation]:
    rows = Delegation.objects.filter(entity=entity).values_list(
        "user_id", "delegate_id", "starts_on", "ends_on"
    )
    return [approvers.Delegation(str(u), str(d), s, e) for u, d, s, e in rows]


def user_ids(refs: list[str]) -> frozenset[str]:
    return frozenset(ref.split(":", 1)[1] for ref in refs if ref.startswith("user:"))


def approved_by(request: ApprovalRequest) -> frozenset[str]:
    """`actor_ref`s that approved some level already (and those they stood in for)."""
    refs = set()
    for decision in request.decisions.all():  # prefetched by the selectors that list many requests
        if decision.decision == "approved":
            refs.add(decision.actor_ref)
            if decision.on_behalf_of_id is not None:
                refs.add(f"user:{decision.on_behalf_of_id}")
    return frozenset(refs)


def level_candidates(
    request: ApprovalRequest,
    day: dt.date,
    *,
    index: int | None = None,
    member_roles: dict[str, str] | None = None,
    absences: list[approvers.Delegation] | None = None,
) -> frozenset[str]:
    """User ids who may decide the request's level ``index`` (default: the current one) on ``day``."""
    index = request.level if index is None else index
    return candidates_at(
        request.plan,
        index,
        author_refs=request.author_refs,
        approved=approved_by(request),
        extra_approvers=request.extra_approvers,
        day=day,
        member_roles=member_roles if member_roles is not None else members(request.entity),
        absences=absences if absences is not None else delegations(request.entity),
    )


def candidates_at(
    plan: list[dict[str, Any]],
    index: int,
    *,
    author_refs: list[str],
    approved: frozenset[str],
    extra_approvers: dict[str, list[Any]],
    day: dt.date,
    member_roles: dict[str, str],
    absences: list[approvers.Delegation],
) -> frozenset[str]:
    """`level_candidates` from a request's columns (`approved`: what `approved_by` gives)."""
    return approvers.candidates(
        level_spec(plan[index]),
        member_roles,
        delegations=absences,
        day=day,
        excluded=user_ids(author_refs) | user_ids(sorted(approved)),
        extra=[str(u) for u in extra_approvers.get(str(index), [])],
    )

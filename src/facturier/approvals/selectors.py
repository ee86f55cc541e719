"""Reads of the approval circuits: a subject's request and history, what waits for whom, the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.db.models import Prefetch, QuerySet

from facturier.accounts.models import LegalEntity
from facturier.approvals import engine
from facturier.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    ApprovalRule,
    Delegation,
    RequestStatus,
)

# What `engine.level_candidates` reads of a request and its decisions: `not_for` runs on every staff page
# (the menu's "To approve" count), so it reads these columns only, not the facts, findings and history.
_CANDIDATE_FIELDS = ("entity", "subject_id", "level", "plan", "author_refs", "extra_approvers")
_DECISION_FIELDS = ("request", "decision", "actor_ref", "on_behalf_of")


def latest_request(subject_type: str, subject_id: UUID) -> ApprovalRequest | None:
    """The subject's current (or last) request, with its history."""
    return (
        ApprovalRequest.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .prefetch_related("decisions")
        .order_by("-submitted_at")
        .first()
    )


def pending_requests(entity: LegalEntity, subject_type: str | None = None) -> QuerySet[ApprovalRequest]:
    requests = ApprovalRequest.objects.filter(entity=entity).filter(status=RequestStatus.PENDING)
    requests = requests.prefetch_related("decisions")
    return requests.filter(subject_type=subject_type) if subject_type else requests


def not_for(user: Any, entity: LegalEntity, subject_type: str, day: dt.date) -> set[UUID]:
    """Subjects pending approval whose current level ``user`` may not decide (not among its approvers).

    The menu's "To approve" count asks on every page: with no request pending, the members and
    delegations are not read."""
    decisions = Prefetch("decisions", queryset=ApprovalDecision.objects.only(*_DECISION_FIELDS))
    pending = list(
        ApprovalRequest.objects.filter(entity=entity, status=RequestStatus.PENDING, subject_type=subject_type)
        .only(*_CANDIDATE_FIELDS)
        .prefetch_related(decisions)
    )
    if not pending:
        return set()
    member_roles, absences = engine.members(entity), engine.delegations(entity)
    uid = str(user.pk)
    return {
        request.subject_id
        for request in pending
        if uid not in engine.level_candidates(request, day, member_roles=member_roles, absences=absences)
    }


def waiting_for(user: Any, entity: LegalEntity, day: dt.date) -> list[ApprovalRequest]:
    """Every pending request whose current level ``user`` may decide, oldest first."""
    member_roles, absences = engine.members(entity), engine.delegations(entity)
    uid = str(user.pk)
    return [
        request
        for request in pending_requests(entity).order_by("submitted_at")
        if uid in engine.level_candidates(request, day, member_roles=member_roles, absences=absences)
    ]


def rules_of(entity: LegalEntity) -> QuerySet[ApprovalRule]:
    return ApprovalRule.objects.filter(entity=entity).select_related("fallback_user")


def delegations_of(entity: LegalEntity) -> QuerySet[Delegation]:
    return Delegation.objects.filter(entity=entity).select_related("user", "delegate")

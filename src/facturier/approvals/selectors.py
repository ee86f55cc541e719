"""Reads of the approval circuits: a subject's request and history, what waits for whom, the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from django.db.models import QuerySet

from facturier.accounts.models import LegalEntity
from facturier.approvals import engine
from facturier.approvals.models import ApprovalRequest, ApprovalRule, Delegation, RequestStatus


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
    """Subjects pending approval whose current level ``user`` may not decide (not among its approvers)."""
    member_roles, absences = engine.members(entity), engine.delegations(entity)
    uid = str(user.pk)
    return {
        request.subject_id
        for request in pending_requests(entity, subject_type)
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

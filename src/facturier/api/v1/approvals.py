"""`/api/v1/approvals`: the approval requests waiting for a decision, and deciding them.

A key sees and decides the requests of the resources it holds `<resource>:approve` for (`invoices`,
`credit_notes`, `inbox` for supplier invoices): the same scope as `POST /invoices/{id}/approve`, which
stays the way to approve a document by its own id. Deciding goes through the same services as the UI,
so the same refusals hold: the key that created or submitted a document never approves it (403
`approval_by_submitter`), nor twice (409 `approval_already_decided`); a level naming people only is
theirs (403 `approval_not_an_approver`).
"""

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from facturier.accounts.actor import as_actor
from facturier.accounts.models import ApiKey
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.document_schemas import RejectIn
from facturier.approvals.models import ApprovalRequest, RequestStatus, SubjectType
from facturier.approvals.selectors import pending_requests
from facturier.common.errors import Conflict, PermissionDenied
from facturier.inbox.approval import received_invoice_approval
from facturier.inbox.models import ReceivedInvoice
from facturier.invoicing import services as invoicing
from facturier.invoicing.models import Document

router = Router(tags=["approvals"])
APPROVE_SCOPES = ("invoices:approve", "credit_notes:approve", "inbox:approve")


class ApprovalDecisionOut(Schema):
    level: int
    decision: str
    actor: str = Field(alias="actor_label")
    comment: str
    decided_at: dt.datetime


class ApprovalOut(Schema):
    id: uuid.UUID
    subject_type: str
    subject_id: uuid.UUID
    label: str
    document_type: str
    amount: str
    currency: str
    status: str
    level: int = Field(description="1-based level waiting for a decision")
    levels: int
    rule: str
    level_label: str
    findings: list[dict[str, Any]]
    submitted_at: dt.datetime
    history: list[ApprovalDecisionOut]

    @staticmethod
    def resolve_amount(obj: ApprovalRequest) -> str:
        return str(obj.facts.get("amount", ""))

    @staticmethod
    def resolve_currency(obj: ApprovalRequest) -> str:
        return str(obj.facts.get("currency", ""))

    @staticmethod
    def resolve_level(obj: ApprovalRequest) -> int:
        return obj.level + 1

    @staticmethod
    def resolve_levels(obj: ApprovalRequest) -> int:
        return len(obj.plan)

    @staticmethod
    def resolve_rule(obj: ApprovalRequest) -> str:
        return str(obj.plan[min(obj.level, len(obj.plan) - 1)].get("rule", ""))

    @staticmethod
    def resolve_level_label(obj: ApprovalRequest) -> str:
        return str(obj.plan[min(obj.level, len(obj.plan) - 1)].get("label", ""))

    @staticmethod
    def resolve_history(obj: ApprovalRequest) -> list[Any]:
        return list(obj.decisions.all())


class ApprovalsOut(Schema):
    items: list[ApprovalOut]


class CommentIn(Schema):
    comment: str = Field("", max_length=1000)


class ReasonIn(RejectIn):
    """Why: required, not blank (the document goes back to draft with it)."""


def _key(request: HttpRequest) -> ApiKey:
    key = request.auth  # type: ignore[attr-defined]
    if not any(key.has_scope(scope) for scope in APPROVE_SCOPES):
        require_scope(request, "invoices:approve")  # refuses with the usual 403 insufficient_scope
    return key  # type: ignore[no-any-return]


def _visible(key: ApiKey, approval: ApprovalRequest) -> bool:
    return key.has_scope(f"{approval.scope_resource()}:approve")


@router.get("/approvals", response=ApprovalsOut, operation_id="approvals_pending",
            summary="Approval requests waiting for a decision, oldest first")  # fmt: skip
def approvals_pending(request: HttpRequest) -> dict[str, Any]:
    key = _key(request)
    rows = pending_requests(entity_of(request)).order_by("submitted_at")[:500]
    return {"items": [row for row in rows if _visible(key, row)]}


def _request(request: HttpRequest, approval_id: uuid.UUID) -> tuple[ApiKey, ApprovalRequest]:
    key = _key(request)
    approval = get_object_or_404(ApprovalRequest.objects.filter(entity=entity_of(request)), pk=approval_id)
    if not _visible(key, approval):
        require_scope(request, f"{approval.scope_resource()}:approve")
    return key, approval


def _decide(request: HttpRequest, approval_id: uuid.UUID, approve: bool, comment: str) -> ApprovalRequest:
    key, approval = _request(request, approval_id)
    if approval.status != RequestStatus.PENDING:
        raise Conflict(_("This approval is no longer pending."), code="approval_not_pending")
    by = as_actor(key)
    if approval.subject_type == SubjectType.DOCUMENT:
        document = get_object_or_404(Document.objects.filter(entity=approval.entity), pk=approval.subject_id)
        if approve:
            invoicing.invoice_approve(invoice=document, by=by, comment=comment)
        else:
            invoicing.invoice_reject(invoice=document, by=by, reason=comment)
    elif approval.subject_type == SubjectType.RECEIVED_INVOICE:
        received = get_object_or_404(
            ReceivedInvoice.objects.filter(entity=approval.entity), pk=approval.subject_id
        )
        received_invoice_approval(received=received, by=by, approve=approve, comment=comment)
    else:  # pragma: no cover - every subject type is handled above
        raise PermissionDenied(_("Unknown document type."))
    approval.refresh_from_db()
    return approval


@router.post("/approvals/{approval_id}/approve", response=ApprovalOut, operation_id="approvals_approve",
             summary="Approve the level waiting for a decision")  # fmt: skip
def approvals_approve(request: HttpRequest, approval_id: uuid.UUID, payload: CommentIn) -> ApprovalRequest:
    return _decide(request, approval_id, True, payload.comment)


@router.post("/approvals/{approval_id}/reject", response=ApprovalOut, operation_id="approvals_reject",
             summary="Reject, saying why: the document goes back to draft (a supplier invoice is rejected)")  # fmt: skip
def approvals_reject(request: HttpRequest, approval_id: uuid.UUID, payload: ReasonIn) -> ApprovalRequest:
    return _decide(request, approval_id, False, payload.reason)

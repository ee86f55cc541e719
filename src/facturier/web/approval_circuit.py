"""What the approval pages show of a circuit: the levels (done, current, to come) with the rule each
came from, the pre-check findings and the history of decisions."""

from typing import Any
from uuid import UUID

from django.utils.translation import gettext_lazy as _

from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Role
from facturier.approvals.models import ApprovalRequest, RequestStatus, SubjectType
from facturier.approvals.selectors import latest_request, waiting_for
from facturier.approvals.services import entity_today
from facturier.domain.approvals import prechecks
from facturier.inbox.models import ReceivedInvoice

FINDINGS = {
    prechecks.DUPLICATE_NUMBER: _(
        "Possible duplicate: this supplier already sent an invoice with this number."
    ),
    prechecks.DUPLICATE_AMOUNT_DATE: _("Possible duplicate: same amount and date as an earlier invoice."),
    prechecks.BANK_DETAILS_CHANGED: _("The supplier's bank account changed since its last invoice."),
    prechecks.AMOUNT_UNUSUAL: _(
        "Amount far above this supplier's usual invoices (more than 3 times the median)."
    ),
    prechecks.MISSING_PURCHASE_ORDER: _("No purchase order reference."),
}


def _levels(request: ApprovalRequest) -> list[dict[str, Any]]:
    roles = dict(Role.choices)
    rows = []
    for index, level in enumerate(request.plan):
        if request.status == RequestStatus.APPROVED or index < request.level:
            state = "skipped" if index in request.skipped else "done"
        elif index == request.level and request.status == RequestStatus.PENDING:
            state = "current"
        else:
            state = "waiting"
        rows.append({
            "number": index + 1, "label": level.get("label") or "", "rule": level.get("rule", ""),
            "roles": [roles.get(r, r) for r in level.get("roles", [])], "required": level.get("required", 1),
            "state": state,
        })  # fmt: skip
    return rows


def circuit_context(subject_type: str, subject_id: UUID) -> dict[str, Any]:
    request = latest_request(subject_type, subject_id)
    if request is None:
        return {"approval": None}
    return {
        "approval": request,
        "approval_levels": _levels(request),
        "approval_history": list(request.decisions.all()),
        "approval_findings": [
            {"code": f["code"], "text": FINDINGS.get(f["code"], f["code"]), "detail": f.get("detail", "")}
            for f in request.findings
        ],
    }


def waiting_received(user: Any, entity: LegalEntity) -> list[ReceivedInvoice]:
    """Supplier invoices whose current approval level ``user`` may decide, oldest first."""
    requests = [
        r
        for r in waiting_for(user, entity, entity_today(entity))
        if r.subject_type == SubjectType.RECEIVED_INVOICE
    ]
    rows = {
        row.pk: row
        for row in ReceivedInvoice.objects.filter(entity=entity).filter(
            pk__in=[r.subject_id for r in requests]
        )
    }
    return [rows[r.subject_id] for r in requests if r.subject_id in rows]

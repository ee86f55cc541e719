"""Supplier invoices through the approval circuits before they may be paid.

Accepting a received invoice (``received_invoice_decide``) is the request to pay it. When the entity uses
approval circuits (at least one active rule), the automatic pre-checks run first (duplicate suspicion,
bank details changed, an unusual amount, no purchase order: ``domain.approvals.prechecks``); any finding
adds a review level. While a circuit applies, accepting opens the request and the invoice is accepted
only when its last level is approved; a rejection rejects it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import actor_ref
from facturier.approvals import services as approvals
from facturier.approvals.models import ApprovalRequest, ApprovalRule, RequestStatus, SubjectType
from facturier.approvals.selectors import latest_request
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict
from facturier.domain.approvals import prechecks
from facturier.domain.approvals.rules import Facts
from facturier.inbox.models import ReceivedInvoice, ReceivedStatus


def _as_precheck(row: ReceivedInvoice) -> prechecks.SupplierInvoice:
    return prechecks.SupplierInvoice(
        number=row.number, amount=row.tax_inclusive, issue_date=row.issue_date, iban=row.payee_account,
        purchase_order=row.purchase_order_reference,
    )  # fmt: skip


def findings_for(received: ReceivedInvoice) -> list[prechecks.Finding]:
    """The pre-checks against the same supplier's earlier invoices (rejected ones left out)."""
    history = (
        ReceivedInvoice.objects.filter(entity=received.entity)
        .filter(supplier=received.supplier)
        .exclude(pk=received.pk)
        .exclude(status=ReceivedStatus.REJECTED)
        .order_by("issue_date", "created_at")
    )
    return prechecks.prechecks(_as_precheck(received), [_as_precheck(row) for row in history])


def facts_for(received: ReceivedInvoice) -> Facts:
    return Facts(
        amount=received.tax_inclusive, currency=received.currency, document_type="supplier_invoice",
        entity_id=str(received.entity_id), country=received.supplier.country if received.supplier_id else "",
        party_id=str(received.supplier_id or ""), cost_centre=received.cost_centre,
    )  # fmt: skip


def uses_circuits(received: ReceivedInvoice) -> bool:
    return ApprovalRule.objects.filter(entity=received.entity).filter(active=True).exists()


def open_circuit(received: ReceivedInvoice, by: Actor) -> ApprovalRequest | None:
    """Start the circuit of an invoice asked to be accepted; None when none applies (accept at once).

    Refused while a request is pending. An approved request lets the invoice through."""
    last = latest_request(SubjectType.RECEIVED_INVOICE, received.pk)
    if last is not None and last.status == RequestStatus.PENDING:
        raise Conflict(_("This invoice is waiting for approval."), code="approval_pending")
    if last is not None and last.status == RequestStatus.APPROVED:
        return None
    if not uses_circuits(received):
        return None
    ref = actor_ref(by)
    received_by = f"user:{received.received_by_id}" if received.received_by_id else None
    return approvals.request_open(
        entity=received.entity, by=by, subject_type=SubjectType.RECEIVED_INVOICE, subject_id=received.pk,
        label=f"{_('Supplier invoice')} {received.seller_name} {received.number} {received.tax_inclusive} "
              f"{received.currency}",
        facts=facts_for(received), authors={r for r in (ref, received_by) if r}, findings=findings_for(received),
    )  # fmt: skip


@transaction.atomic
def received_invoice_approval(
    *, received: ReceivedInvoice, by: Actor, approve: bool, comment: str = ""
) -> ReceivedInvoice:
    """Decide the current level of a supplier invoice's circuit; accepted (to be paid) when the last level
    is approved, rejected with the comment when rejected."""
    received = ReceivedInvoice.objects.select_for_update().get(pk=received.pk)
    request = approvals.pending_request(SubjectType.RECEIVED_INVOICE, received.pk)
    if request is None:
        raise Conflict(_("This invoice is not waiting for approval."), code="approval_not_pending")
    request = approvals.request_decide(request=request, by=by, approve=approve, comment=comment)
    if request.status == RequestStatus.PENDING:
        return received
    before = {"status": received.status}
    received.status = ReceivedStatus.ACCEPTED if approve else ReceivedStatus.REJECTED
    received.decided_at = timezone.now()
    received.decision_reason = "" if approve else comment.strip()
    received.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])
    audit_record(
        entity=received.entity, actor=by, action="inbox.accepted" if approve else "inbox.rejected", obj=received,
        before=before, after={"status": received.status, "reason": received.decision_reason, "approval": str(request.pk)},
    )  # fmt: skip
    return received

"""`/api/v1/invoices`: list, create, read, update while draft, and the lifecycle actions.

Submit, approve, reject and issue also apply to credit notes under `/api/v1/credit_notes/{id}/...`.
"""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.document_schemas import (
    CreditNoteFromInvoiceIn,
    DocumentOut,
    InvoiceCreateIn,
    IssueIn,
    RejectIn,
)
from facturier.api.v1.documents import (
    allowance_data,
    customer_of,
    deposit_documents,
    document_get,
    header_of,
    line_data,
    register_common,
    reloaded,
)
from facturier.common.errors import NotFound, ValidationFailed
from facturier.invoicing import services
from facturier.invoicing.models import Document, Kind

router = Router(tags=["invoices"])
register_common(router, "invoices")


APPROVE_DESCRIPTION = (
    "Needs the `{resource}:approve` scope, which `{resource}:write` does not include: give it to the key "
    "of the approving system or person, not to the one that creates and submits. Refused with 403 "
    "`approval_by_submitter` when this key created or submitted the document (someone else must approve "
    "it), 403 `insufficient_scope` without the scope, 409 `illegal_transition` when it is not pending approval."
)
REJECT_DESCRIPTION = (
    "Needs the `{resource}:approve` scope. The `reason` is kept on the document and in its history. "
    "The key that submitted the document may reject it (it withdraws it); it may not approve it."
)


def register_actions(router: Router, resource: str) -> None:
    """Submit, approve, reject and issue: the same lifecycle for invoices and credit notes."""

    @router.post(f"/{resource}/{{document_id}}/submit", response=DocumentOut, operation_id=f"{resource}_submit",
                 summary="Submit for approval (or straight to approved when no approval is required)")  # fmt: skip
    def submit(request: HttpRequest, document_id: str) -> Document:
        key = require_scope(request, f"{resource}:write")
        invoice = document_get(request, resource, document_id)
        services.invoice_submit(invoice=invoice, by=as_actor(key))
        return reloaded(request, resource, invoice)

    @router.post(f"/{resource}/{{document_id}}/approve", response=DocumentOut,
                 operation_id=f"{resource}_approve", summary="Approve a submitted document",
                 description=APPROVE_DESCRIPTION.format(resource=resource))  # fmt: skip
    def approve(request: HttpRequest, document_id: str) -> Document:
        key = require_scope(request, f"{resource}:approve")
        invoice = document_get(request, resource, document_id)
        services.invoice_approve(invoice=invoice, by=as_actor(key))
        return reloaded(request, resource, invoice)

    @router.post(f"/{resource}/{{document_id}}/reject", response=DocumentOut, operation_id=f"{resource}_reject",
                 summary="Send a submitted document back to draft, saying why",
                 description=REJECT_DESCRIPTION.format(resource=resource))  # fmt: skip
    def reject(request: HttpRequest, document_id: str, payload: RejectIn) -> Document:
        key = require_scope(request, f"{resource}:approve")
        invoice = document_get(request, resource, document_id)
        services.invoice_reject(invoice=invoice, by=as_actor(key), reason=payload.reason)
        return reloaded(request, resource, invoice)

    @router.post(f"/{resource}/{{document_id}}/issue", response=DocumentOut, operation_id=f"{resource}_issue",
                 summary="Issue: legal number, seal; the document can no longer change")  # fmt: skip
    def issue(request: HttpRequest, document_id: str, payload: IssueIn | None = None) -> Document:
        key = require_scope(request, f"{resource}:write")
        invoice = document_get(request, resource, document_id)
        issue_date = payload.issue_date if payload is not None else None
        services.invoice_issue(invoice=invoice, by=as_actor(key), issue_date=issue_date)
        return reloaded(request, resource, invoice)


register_actions(router, "invoices")


@router.post("/invoices", response={201: DocumentOut}, operation_id="invoices_create")
def invoices_create(request: HttpRequest, payload: InvoiceCreateIn) -> Status[Document]:
    key = require_scope(request, "invoices:write")
    entity = entity_of(request)
    preceding = None
    if payload.preceding_invoice is not None:
        try:
            preceding = document_get(request, "invoices", payload.preceding_invoice)
        except NotFound as error:
            raise ValidationFailed(
                _("Unknown invoice."), field="preceding_invoice", code="unknown_invoice"
            ) from error
    invoice = services.document_create(
        entity=entity, kind=Kind.INVOICE, type_code=payload.type_code, customer=customer_of(entity, payload.customer),
        by=as_actor(key), lines=line_data(entity, payload.lines), allowances_charges=allowance_data(payload.allowances_charges),
        deposits=deposit_documents(entity, payload.deposits), preceding_invoice=preceding,
        **header_of(payload, exclude_unset=False),
    )  # fmt: skip
    return Status(201, reloaded(request, "invoices", invoice))


@router.post("/invoices/{document_id}/credit-note", response={201: DocumentOut},
             operation_id="invoices_credit_note", summary="Create a draft credit note against an issued invoice")  # fmt: skip
def invoices_credit_note(
    request: HttpRequest, document_id: str, payload: CreditNoteFromInvoiceIn
) -> Status[Document]:
    key = require_scope(request, "credit_notes:write")
    invoice = document_get(request, "invoices", document_id)
    lines = line_data(entity_of(request), payload.lines) if payload.lines is not None else None
    credit_note = services.credit_note_create(
        invoice=invoice, by=as_actor(key), lines=lines, reason=payload.reason
    )
    return Status(201, reloaded(request, "credit_notes", credit_note))

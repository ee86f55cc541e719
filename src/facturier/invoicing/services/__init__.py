"""Every write on quotes, orders, invoices and credit notes. One transaction each, audited."""

from facturier.invoicing.lines import AllowanceChargeData, LineData
from facturier.invoicing.services.after_issue import (
    credit_note_create,
    invoice_dispute,
    invoice_mark_sent,
    invoice_resolve_dispute,
    quote_set_status,
)
from facturier.invoicing.services.drafts import (
    document_convert,
    document_create,
    document_delete_draft,
    document_update,
)
from facturier.invoicing.services.issuing import (
    invoice_approve,
    invoice_issue,
    invoice_issue_many,
    invoice_reject,
    invoice_submit,
)

__all__ = [
    "AllowanceChargeData",
    "LineData",
    "credit_note_create",
    "document_convert",
    "document_create",
    "document_delete_draft",
    "document_update",
    "invoice_approve",
    "invoice_dispute",
    "invoice_issue",
    "invoice_issue_many",
    "invoice_mark_sent",
    "invoice_reject",
    "invoice_resolve_dispute",
    "invoice_submit",
    "quote_set_status",
]

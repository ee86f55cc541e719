"""Named error codes of the invoicing services (stable: the API returns them as `code`, clients and
the web UI's messages key on them, so a code never changes once published)."""

# lifecycle (invoicing.lifecycle)
ILLEGAL_TRANSITION = "illegal_transition"
DOCUMENT_NOT_EDITABLE = "document_not_editable"
# submitting, approving, issuing
NOT_AN_INVOICE = "not_an_invoice"
NO_LINES = "no_lines"
MISSING_REFERENCE = "missing_reference"
APPROVAL_REQUIRED = "approval_required"
REQUIRED = "required"
# drafts
DOCUMENT_NOT_DELETABLE = "document_not_deletable"
ILLEGAL_CONVERSION = "illegal_conversion"
UNKNOWN_CUSTOMER = "unknown_customer"
# credit notes
NOT_CREDITABLE = "not_creditable"
ALREADY_CREDITED = "already_credited"
CREDIT_EXCEEDS_INVOICE = "credit_exceeds_invoice"

"""Business errors shown to staff in their language.

Services raise English messages with a stable `code`; the codes users meet most often get a translated
wording here, the others keep the service's message (it names the document and the states).
"""

from django.utils.translation import gettext as _

from facturier.common.errors import BusinessError
from facturier.invoicing.models import Status


def _wordings() -> dict[str, str]:
    return {
        "negative_quantity": _("Quantities cannot be negative on an invoice; use a credit note."),
        "document_not_editable": _(
            "This document can no longer be edited; issued invoices are corrected with a credit note."
        ),
        "approval_required": _("This invoice must be approved before it is issued."),
        "no_lines": _("An invoice needs at least one line."),
        "exchange_rate_required": _("A document in a foreign currency needs the exchange rate."),
        "invalid_discount": _("A discount is between 0 and 100 %."),
        "overpayment": _("The payment exceeds the amount still due."),
        "not_payable": _("This invoice is not awaiting payment."),
        "permission_denied": _("Your role does not allow this action."),
        "approval_by_submitter": _("You created or submitted this document: someone else must approve it."),
        "credit_exceeds_invoice": _("The credit note exceeds what remains to credit on the invoice."),
        "already_credited": _("This invoice is already fully credited."),
        "document_not_deletable": _("Only draft invoices can be deleted."),
        "unknown_customer": _("Unknown customer."),
        "unknown_product": _("Unknown product."),
        "invalid_deposit": _("Only issued deposit invoices of this customer can be deducted."),
        "einvoice_invalid": _(
            "The e-invoice breaks the rules listed below; nothing was issued. Correct the document and try again."
        ),
        "einvoice_rules_missing": _(
            "The official e-invoicing rules are not installed, so the invoice cannot be checked and was not "
            "issued. An administrator installs them with: facturier conformance install PATH"
        ),
    }


def explain(error: BusinessError) -> str:
    if error.code == "required" and error.field:
        return _("This field is required.")
    if error.code == "illegal_transition" and error.extra.get("current_status"):
        return _("This action is not possible while the document is '%(status)s'.") % {
            "status": Status(error.extra["current_status"]).label
        }
    return _wordings().get(error.code, error.message)

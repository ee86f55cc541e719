"""Stable event type names, derived from what the audit trail records.

An audit action is ``<object>.<verb>`` (``invoice.issued``); the event type is ``<subject>.<verb>``
where the subject names the business object as integrators know it: a document becomes ``quote``,
``order``, ``invoice`` or ``credit_note`` from its kind and type code (the audit says ``invoice.issued``
for a credit note too); otherwise the action's own prefix is the subject, with the few spellings
integrators should not see renamed (``ACTION_SUBJECTS``: ``apikey`` -> ``api_key``).
``EVENT_TYPES`` documents every type (docs/events.md is the reader's version); a test checks that
each audited action of the code maps to a registered type, so a new action cannot ship unnamed.
"""

from __future__ import annotations

from typing import Any

ACTION_SUBJECTS: dict[str, str] = {"apikey": "api_key", "inbox": "received_invoice"}
"""Audit action prefix -> public subject name, where they differ."""
DOCUMENT_LABEL = "invoicing.document"

CREDIT_NOTE_TYPE_CODES = frozenset({"381"})

EVENT_TYPES: dict[str, str] = {
    "entity.created": "A legal entity (company) was created.",
    "entity.updated": "A company's settings changed.",
    "entity.credentials_set": "A company's connector account (Chorus Pro, platform) was stored; never the secret.",
    "membership.set": "A user's role in a company was set.",
    "api_key.created": "An API key was created.",
    "api_key.revoked": "An API key was revoked.",
    "customer.created": "A customer was created.",
    "customer.updated": "A customer changed.",
    "contact.created": "A customer contact was created.",
    "contact.updated": "A customer contact changed.",
    "contact.deleted": "A customer contact was deleted.",
    "supplier.created": "A supplier was created (by hand or from a received e-invoice).",
    "supplier.updated": "A supplier changed.",
    "product.created": "A product was created.",
    "product.updated": "A product changed.",
    "numbering_series.updated": "A numbering series' format changed.",
    "received_invoice.received": "A supplier e-invoice was received into the inbox.",
    "received_invoice.accepted": "A received supplier invoice was accepted.",
    "received_invoice.rejected": "A received supplier invoice was rejected.",
    "two_factor.enrolled": "A user turned on two-factor authentication.",
    "two_factor.disabled": "A user turned off two-factor authentication.",
    "two_factor.reset": "An administrator reset a user's two-factor authentication.",
    "two_factor.policy_changed": "A company's two-factor policy changed.",
    "two_factor.recovery_code_used": "A user signed in with a recovery code.",
    "two_factor.recovery_codes_regenerated": "A user regenerated their recovery codes.",
    "login.locked": "Sign-ins to an account were locked after repeated failures.",
    "login.unlocked": "A locked account was unlocked.",
    "payment.received": "A payment was recorded (bank transfer, card, cheque...).",
    "payment.reversed": "A recorded payment was reversed.",
    "bank_account.added": "A bank account of the company was added.",
    "bank_account.csv_mapping_set": "The CSV column mapping of a bank account was saved or removed.",
    "bank_statement.imported": "A bank statement was imported into an account (new and duplicate line counts).",
    "bank_statement.import_failed": "A statement file dropped in the watched folder was refused.",
    "bank_line.reconciled": "A bank line was reconciled (automatically or by hand): payment recorded and allocated, fees or write-off booked.",
    "bank_line.proposal_rejected": "A clerk rejected the reconciliation proposed for a bank line.",
    "bank_line.marked_unrelated": "A bank line was marked as unrelated to customers' payments.",
    "bank_line.reconciliation_undone": "A bank line's reconciliation was undone (its payments reversed).",
    "bank_reconciliation.rules_changed": "The company's reconciliation rules (tolerances, accounts, thresholds) changed.",
    "approval_rule.saved": "An approval rule was created or changed.",
    "approval_rule.deleted": "An approval rule was deleted.",
    "approval_delegation.saved": "An approver's absence was recorded, with the delegate deciding in their place.",
    "approval_delegation.deleted": "An absence delegation was deleted.",
    "approval.requested": "A document (invoice, credit note, supplier invoice) entered its approval circuit.",
    "approval.approved": "A level of an approval circuit was approved (the document is approved after the last one).",
    "approval.rejected": "A document was rejected in its approval circuit.",
    "approval.reminded": "Late approvers were reminded by email.",
    "approval.escalated": "A late approval level was escalated (to a fallback approver or the next level).",
    "bank_reconciliation.run": "Automatic reconciliation ran over the company's open bank lines (counts).",
    "payment.refunded": "Money was refunded to a customer (a negative payment).",
    "open_item.imported": "An unpaid invoice from the previous tool was imported as an open item.",
    "open_item.payment_recorded": "A payment was allocated to an imported open item.",
    "open_item.payment_unallocated": "A payment's allocation to an imported open item was removed.",
    "credit_note.offset": "An issued credit note was applied to another invoice of the customer.",
    "invoice.payment_refunded": "Money was refunded on an overpaid invoice.",
    "invoice.exchange_difference": "A small exchange difference was written off to settle an invoice.",
    "invoice.receipt_sent": "The customer was emailed a receipt for a paid invoice.",
    "payment.checkout_created": "An online payment checkout (Stripe, PayPal) was opened for an invoice.",
    "payment.checkout_paid": "An online checkout was paid: the payment was recorded with the provider's fee.",
    "payment.checkout_failed": "An online checkout failed or expired without payment.",
    "payment.checkout_refused": "A provider reported a payment whose amount or currency differs: not recorded.",
    "contract.created": "A billing contract (recurring invoicing) was created.",
    "contract.changed": "A contract's item changed (quantity, price, plan) from an effective date.",
    "contract.terminated": "A contract was terminated: it is no longer billed from its end date.",
    "project.created": "A customer project was created (with its deposit at signing, if any).",
    "project.phase_added": "A phase was added to a project.",
    "project.progress_recorded": "The progress of a project or of one of its phases was recorded.",
    "milestone.added": "A billing milestone (deposit, instalment or balance) was added to a fixed-price project.",
    "milestone.reached": "A project milestone was reached (date, progress, acceptance, or by hand): it may be billed.",
    "milestone.billed": "A reached milestone was claimed and its invoice created (386 deposit or 380).",
    "deliverable.accepted": "A deliverable's acceptance report (PV de réception) was recorded, with or without reservations.",
    "deliverable.reservations_lifted": "The reservations of an acceptance were lifted: its milestone is reached.",
    "construction_contract.created": "A construction contract (marché de travaux) and its bill of quantities was created.",
    "construction_contract.accepted": "The works of a construction contract were accepted: the guarantee period starts.",
    "construction_situation.recorded": "A situation (cumulative progress per line) was recorded on a construction contract.",
    "construction_situation.issued": "A situation was invoiced: its invoice issued, the retention guarantee withheld.",
    "construction_retention.released": "The retention guarantee of a construction contract was released (once); the contract closed.",
    "usage_metric.created": "A usage metric (what is metered and how a period's events add up) was created.",
    "usage.recorded": "A batch of usage events was recorded (accepted, duplicate and refused counts).",
    "usage.alert": "A customer's usage not invoiced yet reached an alert percentage of its threshold.",
    "usage.threshold_invoiced": "A usage threshold was crossed: the usage so far was invoiced at once.",
    "time_entry.created": "Time worked on a project was recorded (a draft time entry).",
    "time_entry.submitted": "A time entry was submitted for approval.",
    "time_entry.approved": "A time entry was approved by a manager (never its author): it is work in progress.",
    "time_entry.rejected": "A time entry was sent back to its author with a reason.",
    "expense.created": "An expense on a project was recorded (with its receipt).",
    "expense.submitted": "An expense was submitted for approval.",
    "expense.approved": "An expense was approved by a manager (never its author): it is work in progress.",
    "expense.rejected": "An expense was sent back to its author with a reason.",
    "rate_rule.created": "A rate was added to the rate card (customer+person, person, task, customer, role or default).",
    "rate_rule.deleted": "A rate was removed from the rate card.",
    "timesheet_settings.updated": "The company's time rounding increment or default expense markup changed.",
    "project.time_invoiced": "A project's approved time and expenses were put on a draft invoice.",
    "billing_run.approved": "A billing run held for approval was approved and queued for the workers.",
    "index.values_recorded": "Values of a price index (Syntec...) were entered or imported.",
}

# Pricing rules (pricing.services)
EVENT_TYPES |= {
    "segment.created": "A customer segment (a group sharing prices and discounts) was created.",
    "segment.updated": "A customer segment or its members changed.",
    "price_list.created": "A price list (for a customer or a segment, in one currency) was created.",
    "price_list.updated": "A price list changed (name, customer or segment, validity, active).",
    "price_list.item_set": "A product's price in a price list was set, from a quantity up.",
    "price_list.item_removed": "A product's price was removed from a price list.",
    "discount.created": "A volume or loyalty discount was created.",
    "discount.updated": "A volume or loyalty discount changed.",
    "promotion.created": "A time-limited promotion (automatic or with a code) was created.",
    "promotion.updated": "A promotion changed.",
}
for _subject in ("quote", "order", "invoice", "credit_note"):
    EVENT_TYPES |= {
        f"{_subject}.created": f"A draft {_subject.replace('_', ' ')} was created.",
        f"{_subject}.updated": f"A draft {_subject.replace('_', ' ')} changed.",
        f"{_subject}.deleted": f"A draft {_subject.replace('_', ' ')} was deleted.",
    }
for _subject in ("quote", "order"):
    EVENT_TYPES |= {
        f"{_subject}.converted": f"The {_subject} was converted into the next document.",
        f"{_subject}.sent": f"The {_subject} was sent to the customer.",
        f"{_subject}.accepted": f"The customer accepted the {_subject}.",
        f"{_subject}.declined": f"The customer declined the {_subject}.",
        f"{_subject}.confirmed": f"The {_subject} was confirmed.",
    }
for _subject in ("invoice", "credit_note"):
    _name = _subject.replace("_", " ")
    EVENT_TYPES |= {
        f"{_subject}.submitted": f"The {_name} was submitted for approval.",
        f"{_subject}.approved": f"The {_name} was approved.",
        f"{_subject}.rejected": f"The {_name} was sent back to draft by its approver.",
        f"{_subject}.issued": f"The {_name} was issued: numbered, sealed, immutable.",
        f"{_subject}.sent": f"The {_name} reached its recipient (email, Chorus Pro, platform).",
        f"{_subject}.transmission_requested": f"Sending the {_name} was requested.",
        f"{_subject}.transmitted": f"The channel accepted the {_name}.",
        f"{_subject}.transmission_failed": f"Sending the {_name} failed.",
        f"{_subject}.lifecycle": f"A lifecycle status (CDAR) of the {_name} was recorded.",
        f"{_subject}.refused": f"The {_name} was refused or rejected by the recipient or platform.",
        f"{_subject}.disputed": f"The {_name} is disputed.",
        f"{_subject}.dispute_reason": f"The reason of the {_name}'s dispute was recorded.",
        f"{_subject}.dispute_resolved": f"The {_name}'s dispute was resolved.",
        f"{_subject}.payment_recorded": f"A payment was allocated to the {_name}.",
        f"{_subject}.payment_unallocated": f"A payment's allocation to the {_name} was removed.",
        f"{_subject}.cancelled_by_credit_note": f"The {_name} was cancelled by a credit note.",
    }


# SEPA direct debits and credit transfers (payments.sepa_*)
EVENT_TYPES |= {
    "sepa_creditor.updated": "The company's SEPA creditor identifier (ICS) or direct debit settings changed.",
    "mandate.created": "A customer's SEPA direct debit mandate was recorded.",
    "mandate.revoked": "A SEPA direct debit mandate was revoked.",
    "mandate.expired": "A SEPA direct debit mandate expired (36 months without collection).",
    "direct_debit.scheduled": "An invoice was scheduled for collection by SEPA direct debit.",
    "direct_debit.returned": "A direct debit was returned or rejected by the bank (R-transaction, ISO reason code).",
    "direct_debit_file.generated": "A SEPA direct debit collection file (pain.008) was generated.",
    "direct_debit_file.booked": "A collection file was booked: its invoices' payments were recorded.",
    "credit_transfer.created": "A SEPA credit transfer (refund or supplier payment) was ordered.",
    "credit_transfer_file.generated": "A SEPA credit transfer file (pain.001) was generated.",
}
for _subject in ("invoice", "credit_note"):
    EVENT_TYPES[f"{_subject}.direct_debit_returned"] = (
        f"The direct debit of the {_subject.replace('_', ' ')} was returned: it is owed again."
    )


def subject_name(action: str, obj: Any) -> str:
    """The public name of the audited subject: documents by kind (a credit note is its own subject)."""
    if str(obj._meta.label_lower) == DOCUMENT_LABEL:
        kind = str(getattr(obj, "kind", "invoice"))
        if kind == "invoice" and str(getattr(obj, "type_code", "")) in CREDIT_NOTE_TYPE_CODES:
            return "credit_note"
        return kind
    prefix = action.split(".", 1)[0]
    return ACTION_SUBJECTS.get(prefix, prefix)


def event_type(action: str, obj: Any) -> str:
    """``invoice.issued`` on a credit note -> ``credit_note.issued``; ``inbox.received`` -> ``received_invoice.received``."""
    verb = action.split(".", 1)[-1]
    return f"{subject_name(action, obj)}.{verb}"

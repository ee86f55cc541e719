"""A bank line matched to a payment already recorded by hand (a cheque or transfer entered from the invoice
page before the statement came): the line is reconciled with that payment, no second payment is recorded.

The line and the payment are locked; the payment must be the same money (customer's payment, not reversed,
not a refund, same currency and amount as the line) and not already reconciled with another line. Undoing it
(`reconciliation.line_undo`) leaves the payment as it is (it was recorded apart from the bank line) and only
opens the line again.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from facturier.accounts import authorization
from facturier.accounts.actor import Actor
from facturier.accounts.roles import Action
from facturier.audit.services import actor_label, audit_record
from facturier.banking.models import BankLine, Decision, LineStatus, Reconciliation
from facturier.banking.reconciliation import CONFLICT, INVALID_MATCH, OPEN_STATUSES, _check_open, _locked
from facturier.common.errors import Conflict, NotFound, ValidationFailed
from facturier.payments.models import Payment

LINKED = "payment_linked"  # the Reconciliation's reason: its payment was not recorded by the reconciliation


@transaction.atomic
def line_match_payment(*, line: BankLine, payment_id: Any, by: Actor) -> Reconciliation:
    """Reconcile the line with a payment recorded before (same amount, currency; one line per payment)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, *OPEN_STATUSES)
    payment = Payment.objects.select_for_update().filter(entity=line.entity, pk=payment_id).first()
    if payment is None:
        raise NotFound(_("Unknown payment."), field="payment", code="unknown_payment")
    if payment.is_reversed or payment.amount <= 0 or payment.credit_note_id is not None:
        raise ValidationFailed(_("Only a payment received and not reversed can be matched to a bank line."),
                               field="payment", code=INVALID_MATCH)  # fmt: skip
    if (payment.amount, payment.currency) != (line.amount, line.currency):
        raise ValidationFailed(
            _("The payment is %(payment)s %(payment_currency)s, the bank line %(line)s %(line_currency)s.")
            % {"payment": payment.amount, "payment_currency": payment.currency, "line": line.amount,
               "line_currency": line.currency},
            field="payment", code=INVALID_MATCH,
        )  # fmt: skip
    taken = Reconciliation.objects.filter(payment=payment, undone_at__isnull=True).exclude(line=line)
    if taken.exists():
        raise Conflict(_("This payment is already reconciled with another bank line."), code=CONFLICT)
    user, _key = authorization.user_and_key(by)
    reconciliation = Reconciliation.objects.create(
        entity=line.entity, line=line, decision=Decision.MANUAL, payment=payment,
        reasons=[{"code": LINKED, "params": {"payment": str(payment.pk)}}], decided_by=user,
        decided_by_label=actor_label(by)[:200],
    )  # fmt: skip
    line.status = LineStatus.MANUAL
    line.proposed_allocations = []
    line.save(update_fields=["status", "proposed_allocations", "updated_at"])
    audit_record(entity=line.entity, actor=by, action="bank_line.reconciled", obj=line,
                 after={"decision": Decision.MANUAL, "payment": str(payment.pk), "amount": line.amount,
                        "linked": True})  # fmt: skip
    return reconciliation

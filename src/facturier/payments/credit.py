"""The customer's credit: refunds, overpayments applied later, credit notes offsetting other invoices.

- A **refund** is a negative payment: money given back to the customer. It uses up their unallocated
  credit, or, given an overpaid invoice (paid, then credited), is allocated to it as a negative amount.
- **Credit** is the part of the customer's payments not allocated; `credit_apply` applies it to an
  invoice (or an imported open item), oldest payment first.
- A **credit-note offset** applies an issued credit note to other invoices of the same customer: a
  `compensation` payment linked to the credit note (`Payment.credit_note`), allocated to the invoice; when
  the credit note refers to an invoice (BT-25) that it left overpaid, the same payment takes the excess
  back from that invoice (a negative allocation), so the payment nets to zero.

The customer row is locked first: two clerks spending the same credit queue up.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Sum
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.services.common import locked
from facturier.parties.models import Customer
from facturier.payments import errors
from facturier.payments.models import Allocation, Method, OpenItem, Payment
from facturier.payments.selectors import ZERO, settlement_of, sum_of
from facturier.payments.services import Target, _allocate, _allocate_to, _check_amount, _state

CENT = Decimal("0.01")


def _locked_customer(customer: Customer) -> Customer:
    locked_row: Customer = Customer.objects.select_for_update().get(pk=customer.pk)
    return locked_row


def _credit_payments(
    customer: Customer, currency: str, *, lock: bool = False
) -> list[tuple[Payment, Decimal]]:
    """The customer's payments with money left to allocate, oldest first: (payment, available).

    One query, the allocated sums as a subquery. `lock` (services spending the credit) locks the payment
    rows too; a read (the document page) must not: FOR UPDATE needs a transaction, which a page has not.
    """
    allocated = sum_of(Allocation.objects.filter(payment=OuterRef("pk")), "payment", "amount")
    payments = Payment.objects.filter(
        customer=customer, currency=currency, reversed_at__isnull=True, amount__gt=0, credit_note__isnull=True
    ).annotate(allocated=allocated)
    if lock:
        payments = payments.select_for_update(of=("self",))
    return [
        (payment, payment.amount - payment.allocated)
        for payment in payments.order_by("received_on", "created_at")
        if payment.amount - payment.allocated > 0
    ]


def available_credit(customer: Customer, currency: str) -> Decimal:
    """Unallocated money of the customer in `currency`, less refunds already paid out of it."""
    positive = sum((left for _payment, left in _credit_payments(customer, currency)), ZERO)
    refunds = Payment.objects.filter(
        customer=customer, currency=currency, reversed_at__isnull=True, amount__lt=0, allocations__isnull=True
    ).aggregate(total=Sum("amount"))["total"]
    return Decimal(positive + (refunds or ZERO)).quantize(CENT)


@transaction.atomic
def credit_apply(
    *, customer: Customer, target: Target, by: Actor, amount: Decimal | None = None
) -> list[Allocation]:
    """Apply the customer's unallocated credit to an invoice or open item (all it can, or `amount`)."""
    authorize(by, Action.RECORD_PAYMENT, customer.entity)
    customer = _locked_customer(customer)
    available = available_credit(customer, target.currency)
    if amount is None:
        if isinstance(target, OpenItem):
            from facturier.payments.selectors import open_items_with_balance

            due = open_items_with_balance(OpenItem.objects.filter(pk=target.pk)).values_list(
                "balance", flat=True
            )[0]
        else:
            due = settlement_of(target).balance
        amount = min(available, Decimal(due).quantize(CENT))
    _check_amount(amount)
    if amount > available:
        raise ValidationFailed(
            _("The customer's credit (%(available)s) is less than %(amount)s.")
            % {"available": available, "amount": amount},
            field="amount", code=errors.INSUFFICIENT_CREDIT,
        )  # fmt: skip
    allocations, left = [], amount
    for payment, free in _credit_payments(customer, target.currency, lock=True):
        part = min(free, left)
        allocations.append(_allocate_to(payment, target, part, by))
        left -= part
        if not left:
            break
    return allocations


@transaction.atomic
def payment_refund(
    *,
    customer: Customer,
    amount: Decimal,
    refunded_on: dt.date,
    by: Actor,
    currency: str | None = None,
    invoice: Document | None = None,
    method: str = Method.TRANSFER,
    reference: str = "",
) -> Payment:
    """Give money back to the customer: out of their credit, or on an invoice they overpaid."""
    authorize(by, Action.RECORD_PAYMENT, customer.entity)
    customer = _locked_customer(customer)
    _check_amount(amount)
    currency = invoice.currency if invoice is not None else (currency or customer.entity.default_currency)
    if invoice is not None:
        invoice = locked(invoice)
        if invoice.customer_id != customer.pk or invoice.kind != Kind.INVOICE or not invoice.is_sealed:
            raise ValidationFailed(
                _("%(document)s is not a document of this payment's customer.") % {"document": invoice},
                field="invoice", code=errors.WRONG_CUSTOMER,
            )  # fmt: skip
        before = settlement_of(invoice)
        if -before.balance < amount:
            raise Conflict(
                _("%(invoice)s is overpaid by %(excess)s only.") % {"invoice": invoice, "excess": max(-before.balance, ZERO)},
                code=errors.NOT_OVERPAID,
            )  # fmt: skip
    elif amount > available_credit(customer, currency):
        raise ValidationFailed(
            _("The customer's credit (%(available)s) is less than %(amount)s.")
            % {"available": available_credit(customer, currency), "amount": amount},
            field="amount", code=errors.INSUFFICIENT_CREDIT,
        )  # fmt: skip
    refund = Payment.objects.create(
        entity=customer.entity, customer=customer, amount=-amount, currency=currency, received_on=refunded_on,
        method=method, reference=reference, payer=customer.name,
    )  # fmt: skip
    audit_record(
        entity=customer.entity, actor=by, action="payment.refunded", obj=refund, after=_state(refund)
    )
    if invoice is not None:
        Allocation.objects.create(entity=customer.entity, payment=refund, document=invoice, amount=-amount)
        after = settlement_of(invoice)
        audit_record(
            entity=invoice.entity, actor=by, action="invoice.payment_refunded", obj=invoice,
            before={"paid": before.paid, "settlement": before.settlement.value},
            after={"payment": str(refund.pk), "amount": -amount, "paid": after.paid, "settlement": after.settlement.value},
        )  # fmt: skip
    return refund


def offset_left(credit_note: Document) -> Decimal:
    """How much of the credit note is not yet applied to other invoices."""
    applied = Allocation.objects.filter(payment__credit_note=credit_note, payment__reversed_at__isnull=True)
    total = applied.exclude(document=credit_note.preceding_invoice_id).aggregate(total=Sum("amount"))["total"]
    left = credit_note.tax_inclusive - (total or ZERO)
    if credit_note.preceding_invoice is not None:
        excess = -settlement_of(credit_note.preceding_invoice).balance
        left = min(left, max(excess, ZERO))
    return Decimal(left).quantize(CENT)


@transaction.atomic
def credit_note_offset(*, credit_note: Document, invoice: Document, amount: Decimal, by: Actor) -> Payment:
    """Apply an issued credit note to another invoice of the same customer (a compensation)."""
    credit_note = locked(credit_note)
    authorize(by, Action.RECORD_PAYMENT, credit_note.entity)
    if not credit_note.is_credit_note or not credit_note.is_sealed:
        raise Conflict(_("%(document)s is not an issued credit note.") % {"document": credit_note},
                       code=errors.NOT_A_CREDIT_NOTE)  # fmt: skip
    if invoice.pk == credit_note.preceding_invoice_id:
        raise Conflict(_("A credit note already settles the invoice it refers to."), code=errors.NOT_PAYABLE)
    _check_amount(amount)
    left = offset_left(credit_note)
    if amount > left:
        raise ValidationFailed(
            _("Only %(available)s of this credit note is left to apply.") % {"available": left},
            field="amount", code=errors.OVER_ALLOCATION,
        )  # fmt: skip
    preceding = credit_note.preceding_invoice
    if credit_note.issue_date is None:  # pragma: no cover - an issued credit note has its date
        raise Conflict(_("%(document)s is not an issued credit note.") % {"document": credit_note},
                       code=errors.NOT_A_CREDIT_NOTE)  # fmt: skip
    takes_back = preceding is not None
    payment = Payment.objects.create(
        entity=credit_note.entity, customer=credit_note.customer, currency=credit_note.currency,
        amount=ZERO if takes_back else amount, received_on=credit_note.issue_date, method=Method.COMPENSATION,
        reference=credit_note.number, credit_note=credit_note,
    )  # fmt: skip
    _allocate(payment, invoice, amount, by)
    if preceding is not None:
        Allocation.objects.create(
            entity=payment.entity, payment=payment, document=locked(preceding), amount=-amount
        )
    audit_record(
        entity=credit_note.entity, actor=by, action="invoice.offset", obj=credit_note,
        after={"invoice": invoice.number, "amount": amount, "payment": str(payment.pk)},
    )  # fmt: skip
    return payment

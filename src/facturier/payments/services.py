"""Recording, allocating, unallocating and reversing payments: audited, one transaction each.

An allocation locks the invoice row first, so two clerks applying money to the same invoice at once
queue up and the second sees the first's allocation (no invoice is ever allocated beyond its balance).
The allocation that makes an invoice paid schedules its receipt (`payments.receipts`), once per invoice.
Refunds, customer credit and credit-note offsets are in `payments.credit`; imported open items in
`payments.open_items`.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.invoicing.lifecycle import OPEN_RECEIVABLE
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.services.common import locked
from facturier.parties.models import Customer
from facturier.payments import errors
from facturier.payments.models import Allocation, Method, OpenItem, Payment
from facturier.payments.receipts import receipt_schedule
from facturier.payments.selectors import (
    Settlement,
    open_items_with_balance,
    settlement_of,
    unallocated_credit,
)

CENT = Decimal("0.01")
EXCHANGE_DIFFERENCE_RATE = Decimal("0.01")
"""The largest exchange difference written off with a payment: 1 % of the invoice's amount due."""


def _state(payment: Payment) -> dict[str, Any]:
    return {
        "customer": str(payment.customer_id),
        "received_on": payment.received_on,
        "amount": payment.amount,
        "currency": payment.currency,
        "method": payment.method,
        "reference": payment.reference,
        "payer": payment.payer,
        "reversed": payment.is_reversed,
    }


def _check_amount(amount: Decimal, *, allow_negative: bool = False) -> None:
    if amount == 0 or (amount < 0 and not allow_negative) or amount != amount.quantize(CENT):
        raise ValidationFailed(
            _("A payment is a positive amount with at most 2 decimals."),
            field="amount",
            code=errors.INVALID_AMOUNT,
        )


def _exchange_difference(document: Document, amount: Decimal, balance: Decimal) -> Decimal:
    """What is left of `balance` after `amount`, when it may be written off as an exchange difference."""
    difference = balance - amount
    if document.currency == document.entity.default_currency:
        raise ValidationFailed(
            _("An exchange difference only arises on an invoice in a foreign currency."),
            field="write_off_difference", code=errors.DIFFERENCE_NOT_ALLOWED,
        )  # fmt: skip
    limit = (document.payable * EXCHANGE_DIFFERENCE_RATE).quantize(CENT)
    if difference <= 0 or difference > limit:
        raise ValidationFailed(
            _("The difference (%(difference)s) is not a small exchange difference (at most %(limit)s).")
            % {"difference": difference, "limit": limit},
            field="write_off_difference", code=errors.DIFFERENCE_TOO_LARGE,
        )  # fmt: skip
    return difference


def _allocate(
    payment: Payment,
    document: Document,
    amount: Decimal,
    by: Actor,
    *,
    write_off_difference: bool = False,
) -> Allocation:
    """Apply `amount` of `payment` to `document` (the caller holds the payment's transaction).

    `write_off_difference`: the rest of the invoice's balance is closed as an exchange difference
    (a payment in the invoice's foreign currency that arrived a little short, see docs/settlement.md).
    """
    document = locked(document)
    if document.entity_id != payment.entity_id or document.customer_id != payment.customer_id:
        raise ValidationFailed(
            _("%(document)s is not a document of this payment's customer.") % {"document": document},
            field="document", code=errors.WRONG_CUSTOMER,
        )  # fmt: skip
    if document.kind != Kind.INVOICE or document.is_credit_note or not document.is_sealed:
        raise Conflict(
            _("%(document)s is not an issued invoice.") % {"document": document}, code=errors.NOT_PAYABLE
        )
    if document.status not in OPEN_RECEIVABLE:
        raise Conflict(
            _("%(invoice)s is not awaiting payment.") % {"invoice": document},
            code=errors.NOT_PAYABLE, current_status=document.status,
        )  # fmt: skip
    if document.currency != payment.currency:
        raise ValidationFailed(
            _("%(invoice)s is in %(currency)s, the payment in %(paid)s.")
            % {"invoice": document, "currency": document.currency, "paid": payment.currency},
            field="currency", code=errors.CURRENCY_MISMATCH,
        )  # fmt: skip
    _check_amount(amount)
    before = settlement_of(document)
    if amount > before.balance:
        raise ValidationFailed(
            _("The payment (%(amount)s) exceeds the amount still due (%(outstanding)s).")
            % {"amount": amount, "outstanding": before.balance},
            field="amount", code=errors.OVERPAYMENT,
        )  # fmt: skip
    difference = (
        _exchange_difference(document, amount, before.balance) if write_off_difference else Decimal(0)
    )
    allocation, created = Allocation.objects.get_or_create(
        entity=payment.entity, payment=payment, document=document,
        defaults={"amount": amount, "difference": difference},
    )  # fmt: skip
    if not created:
        allocation.amount += amount
        allocation.difference += difference
        allocation.save(update_fields=["amount", "difference", "updated_at"])
    after = settlement_of(document)
    audit_record(
        entity=document.entity, actor=by, action="invoice.payment_recorded", obj=document,
        before={"paid": before.paid, "settlement": before.settlement.value},
        after={"payment": str(payment.pk), "amount": amount, "paid": after.paid, "settlement": after.settlement.value},
    )  # fmt: skip
    if difference:
        audit_record(
            entity=document.entity, actor=by, action="invoice.exchange_difference", obj=document,
            after={"payment": str(payment.pk), "difference": difference, "currency": document.currency},
        )  # fmt: skip
    if after.settlement == Settlement.PAID and before.settlement != Settlement.PAID:
        receipt_schedule(document)
    return allocation


def _allocate_open_item(payment: Payment, item: OpenItem, amount: Decimal, by: Actor) -> Allocation:
    """Apply `amount` of `payment` to an imported open item (locked first, like an invoice)."""
    item = OpenItem.objects.select_for_update().get(pk=item.pk)
    if item.entity_id != payment.entity_id or item.customer_id != payment.customer_id:
        raise ValidationFailed(
            _("%(document)s is not a document of this payment's customer.") % {"document": item},
            field="open_item", code=errors.WRONG_CUSTOMER,
        )  # fmt: skip
    if item.currency != payment.currency:
        raise ValidationFailed(
            _("%(invoice)s is in %(currency)s, the payment in %(paid)s.")
            % {"invoice": item, "currency": item.currency, "paid": payment.currency},
            field="currency", code=errors.CURRENCY_MISMATCH,
        )  # fmt: skip
    _check_amount(amount)
    balance = open_items_with_balance(OpenItem.objects.filter(pk=item.pk)).values_list("balance", flat=True)[
        0
    ]
    balance = Decimal(balance).quantize(CENT)
    if amount > balance:
        raise ValidationFailed(
            _("The payment (%(amount)s) exceeds the amount still due (%(outstanding)s).")
            % {"amount": amount, "outstanding": balance},
            field="amount", code=errors.OVERPAYMENT,
        )  # fmt: skip
    allocation, created = Allocation.objects.get_or_create(
        entity=payment.entity, payment=payment, open_item=item, defaults={"amount": amount}
    )
    if not created:
        allocation.amount += amount
        allocation.save(update_fields=["amount", "updated_at"])
    audit_record(
        entity=item.entity, actor=by, action="open_item.payment_recorded", obj=item,
        before={"balance": balance}, after={"payment": str(payment.pk), "amount": amount, "balance": balance - amount},
    )  # fmt: skip
    return allocation


Target = Document | OpenItem


def _allocate_to(
    payment: Payment, target: Target, amount: Decimal, by: Actor, *, write_off_difference: bool = False
) -> Allocation:
    if isinstance(target, OpenItem):
        return _allocate_open_item(payment, target, amount, by)
    return _allocate(payment, target, amount, by, write_off_difference=write_off_difference)


# A part of a payment: (target, amount), or (target, amount, write_off_difference).
AllocationRequest = tuple[Target, Decimal] | tuple[Target, Decimal, bool]


def _check_allocations_fit(payment: Payment, allocations: list[AllocationRequest]) -> None:
    if sum((request[1] for request in allocations), Decimal(0)) > payment.amount:
        raise ValidationFailed(
            _("The allocations exceed the payment (%(amount)s).") % {"amount": payment.amount},
            field="allocations", code=errors.OVER_ALLOCATION,
        )  # fmt: skip


@transaction.atomic
def payment_record(
    *,
    entity: LegalEntity,
    customer: Customer,
    amount: Decimal,
    received_on: dt.date,
    by: Actor,
    currency: str | None = None,
    method: str = Method.TRANSFER,
    reference: str = "",
    payer: str = "",
    allocations: list[AllocationRequest] | None = None,
) -> Payment:
    """Money received from a customer, applied to the documents given; the rest stays as their credit."""
    authorize(by, Action.RECORD_PAYMENT, entity)
    if customer.entity_id != entity.pk:
        raise ValidationFailed(_("Unknown customer."), field="customer", code=errors.WRONG_CUSTOMER)
    _check_amount(amount)
    payment = Payment.objects.create(
        entity=entity, customer=customer, amount=amount, currency=currency or entity.default_currency,
        received_on=received_on, method=method, reference=reference, payer=payer,
    )  # fmt: skip
    _check_allocations_fit(payment, allocations or [])
    audit_record(entity=entity, actor=by, action="payment.received", obj=payment, after=_state(payment))
    for request in allocations or []:
        write_off = bool(request[2]) if len(request) == 3 else False  # noqa: PLR2004 - the optional flag
        _allocate_to(payment, request[0], request[1], by, write_off_difference=write_off)
    return payment


@transaction.atomic
def payment_record_for_invoice(
    *,
    invoice: Document,
    amount: Decimal,
    received_on: dt.date,
    by: Actor,
    reference: str = "",
    method: str = Method.TRANSFER,
    write_off_difference: bool = False,
) -> Payment:
    """The common case: a payment of one invoice, in its currency, never more than what it still owes.

    `write_off_difference`: a payment in the invoice's foreign currency a little short of the balance
    closes the invoice, the rest recorded as an exchange difference (at most EXCHANGE_DIFFERENCE_RATE).
    """
    payment = payment_record(
        entity=invoice.entity, customer=invoice.customer, amount=amount, received_on=received_on, by=by,
        currency=invoice.currency, method=method, reference=reference,
    )  # fmt: skip
    _allocate(payment, invoice, amount, by, write_off_difference=write_off_difference)
    return payment


@transaction.atomic
def payment_allocate(
    *, payment: Payment, document: Target, amount: Decimal, by: Actor, write_off_difference: bool = False
) -> Allocation:
    """Apply part of a payment's unallocated amount (the customer's credit) to an invoice or open item."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    authorize(by, Action.RECORD_PAYMENT, payment.entity)
    if payment.is_reversed:
        raise Conflict(_("This payment was reversed."), code=errors.ALREADY_REVERSED)
    allocated = sum((allocation.amount for allocation in payment.allocations.all()), Decimal(0))
    if allocated + amount > payment.amount:
        raise ValidationFailed(
            _("Only %(available)s of this payment is left to allocate.") % {"available": payment.amount - allocated},
            field="amount", code=errors.OVER_ALLOCATION,
        )  # fmt: skip
    return _allocate_to(payment, document, amount, by, write_off_difference=write_off_difference)


@transaction.atomic
def allocation_remove(*, allocation: Allocation, by: Actor, _reversing: bool = False) -> None:
    """Take an allocation back: the invoice is owed again, the money returns to the customer's credit."""
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("payment", "document", "open_item")
        .get(pk=allocation.pk)
    )
    authorize(by, Action.RECORD_PAYMENT, allocation.payment.entity)
    if allocation.payment.credit_note_id is not None and not _reversing:
        raise Conflict(
            _("A credit note's offset is undone as a whole: reverse it."), code=errors.OFFSET_NOT_SPLIT
        )
    if allocation.open_item is not None:
        item = OpenItem.objects.select_for_update().get(pk=allocation.open_item_id)
        allocation.delete()
        audit_record(
            entity=item.entity, actor=by, action="open_item.payment_unallocated", obj=item,
            after={"payment": str(allocation.payment_id), "amount": allocation.amount},
        )  # fmt: skip
        return
    assert allocation.document is not None  # noqa: S101 - one target or the other (database constraint)
    document = locked(allocation.document)
    before = settlement_of(document)
    allocation.delete()
    after = settlement_of(document)
    audit_record(
        entity=document.entity, actor=by, action="invoice.payment_unallocated", obj=document,
        before={"paid": before.paid, "settlement": before.settlement.value},
        after={"payment": str(allocation.payment_id), "amount": allocation.amount, "paid": after.paid,
               "settlement": after.settlement.value},
    )  # fmt: skip


@transaction.atomic
def payment_reverse(*, payment: Payment, by: Actor, reason: str) -> Payment:
    """A payment recorded by mistake or returned by the bank: its allocations are removed, it stays on record."""
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    authorize(by, Action.RECORD_PAYMENT, payment.entity)
    if payment.is_reversed:
        raise Conflict(_("This payment was reversed."), code=errors.ALREADY_REVERSED)
    before = _state(payment)
    for allocation in list(payment.allocations.all()):
        allocation_remove(allocation=allocation, by=by, _reversing=True)
    payment.reversed_at = timezone.now()
    payment.reversal_reason = reason[:200]
    payment.save(update_fields=["reversed_at", "reversal_reason", "updated_at"])
    audit_record(entity=payment.entity, actor=by, action="payment.reversed", obj=payment, before=before,
                 after={**_state(payment), "reason": payment.reversal_reason})  # fmt: skip
    return payment


__all__ = [
    "EXCHANGE_DIFFERENCE_RATE",
    "allocation_remove",
    "payment_allocate",
    "payment_record",
    "payment_record_for_invoice",
    "payment_reverse",
    "unallocated_credit",
]

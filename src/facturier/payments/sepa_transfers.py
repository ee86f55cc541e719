"""SEPA credit transfers (pain.001.001.09): refunds to customers and payments of supplier invoices.

An order is recorded first (audited); `credit_transfer_file_generate` then puts every order due by
a date that is not in a file yet into one pain.001 file, stored as bytes. A refund is also a negative
payment of the customer, taken from their unallocated credit, so their statement stays right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts import authorization
from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.sepa import CreditTransfer, Party, SepaError, TransferMessage, build_pain001
from facturier.parties.models import Customer
from facturier.payments import errors
from facturier.payments.mandates import CreditTransferOrder, SepaFile, SepaFileKind, TransferKind
from facturier.payments.models import Method, Payment
from facturier.payments.selectors import unallocated_credit
from facturier.payments.sepa_mandates import checked_bic, checked_iban

CENT = Decimal("0.01")
# inbox.ReceivedStatus.ACCEPTED: payments and inbox are sibling layers, so the inbox is not imported here
ACCEPTED = "accepted"


def _check_amount(amount: Decimal) -> None:
    if amount <= 0 or amount != amount.quantize(CENT):
        raise ValidationFailed(_("A transfer is a positive amount with at most 2 decimals."), field="amount",
                               code=errors.INVALID_AMOUNT)  # fmt: skip


def _end_to_end_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:24].upper()}"


def _audit(order: CreditTransferOrder, by: Actor) -> None:
    audit_record(entity=order.entity, actor=by, action="credit_transfer.created", obj=order,
                 after={"kind": order.kind, "creditor": order.creditor_name, "iban": order.iban,
                        "amount": order.amount, "execution_date": order.execution_date,
                        "end_to_end_id": order.end_to_end_id})  # fmt: skip


@transaction.atomic
def refund_order(
    *,
    customer: Customer,
    amount: Decimal,
    iban: str,
    execution_date: dt.date,
    by: Actor,
    bic: str = "",
    remittance: str = "",
) -> CreditTransferOrder:
    """Pay back part of a customer's credit (money received and not allocated) by transfer."""
    entity = customer.entity
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    _check_amount(amount)
    compact_iban, compact_bic = checked_iban(iban), checked_bic(bic)
    Customer.objects.select_for_update().filter(pk=customer.pk).first()  # one refund of this credit at a time
    credit = unallocated_credit(customer)
    if amount > credit:
        raise ValidationFailed(_("Only %(credit)s of this customer's credit can be refunded.") % {"credit": credit},
                               field="amount", code=errors.OVER_ALLOCATION)  # fmt: skip
    end_to_end = _end_to_end_id("RFD")
    payment = Payment.objects.create(
        entity=entity, customer=customer, amount=-amount, currency="EUR", received_on=execution_date,
        method=Method.TRANSFER, reference=end_to_end, payer=customer.name[:200],
    )  # fmt: skip
    audit_record(entity=entity, actor=by, action="payment.received", obj=payment,
                 after={"customer": str(customer.pk), "amount": -amount, "method": Method.TRANSFER,
                        "reference": end_to_end, "refund": True})  # fmt: skip
    order = CreditTransferOrder.objects.create(
        entity=entity, kind=TransferKind.REFUND, customer=customer, payment=payment, creditor_name=customer.name[:140],
        iban=compact_iban, bic=compact_bic, amount=amount, end_to_end_id=end_to_end, execution_date=execution_date,
        remittance=(remittance or _("Refund"))[:140],
    )  # fmt: skip
    _audit(order, by)
    return order


@transaction.atomic
def supplier_payment_order(
    *,
    received_invoice: Any,
    execution_date: dt.date,
    by: Actor,
    amount: Decimal | None = None,
) -> CreditTransferOrder:
    """Pay an accepted supplier invoice of the inbox (an `inbox.ReceivedInvoice`) to the supplier's IBAN."""
    entity = received_invoice.entity
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    if received_invoice.status != ACCEPTED:
        raise Conflict(_("Only an accepted supplier invoice is paid."), code=errors.NOT_PAYABLE)
    if received_invoice.currency != "EUR":
        raise ValidationFailed(
            _("SEPA transfers are in euros."), field="currency", code=errors.CURRENCY_MISMATCH
        )
    supplier = received_invoice.supplier
    if not supplier.iban:
        raise ValidationFailed(_("The supplier has no IBAN."), field="iban", code=errors.INVALID_IBAN)
    amount = received_invoice.amount_due if amount is None else amount
    _check_amount(amount)
    order = CreditTransferOrder.objects.create(
        entity=entity, kind=TransferKind.SUPPLIER, received_invoice=received_invoice,
        creditor_name=supplier.name[:140], iban=checked_iban(supplier.iban), bic="", amount=amount,
        end_to_end_id=_end_to_end_id("SUP"), execution_date=execution_date,
        remittance=(_("Invoice %(number)s") % {"number": received_invoice.number})[:140],
    )  # fmt: skip
    _audit(order, by)
    return order


@transaction.atomic
def credit_transfer_file_generate(
    *, entity: LegalEntity, execution_date: dt.date, by: Actor
) -> SepaFile | None:
    """One pain.001.001.09 file of every order due by `execution_date` not yet in a file (None: nothing to pay)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    orders = list(
        CreditTransferOrder.objects.select_for_update()
        .filter(entity=entity, file__isnull=True, execution_date__lte=execution_date)
        .order_by("created_at")
    )
    if not orders:
        return None
    message_id = f"TR{execution_date:%Y%m%d}{uuid.uuid4().hex[:16].upper()}"
    message = TransferMessage(
        message_id=message_id, payment_info_id=f"{message_id}-1", created_at=timezone.now(),
        execution_date=execution_date, debtor=Party(name=entity.name, iban=entity.iban, bic=entity.bic),
        transactions=tuple(
            CreditTransfer(end_to_end_id=o.end_to_end_id, amount=o.amount, remittance=o.remittance,
                           creditor=Party(name=o.creditor_name, iban=o.iban, bic=o.bic))
            for o in orders
        ),
    )  # fmt: skip
    try:
        content = build_pain001(message)
    except SepaError as error:
        raise ValidationFailed(str(error), field=error.field, code=errors.SEPA_FILE_INVALID) from error
    sepa_file = SepaFile.objects.create(
        entity=entity, kind=SepaFileKind.CREDIT_TRANSFER, message_id=message_id, version="pain.001.001.09",
        execution_date=execution_date, transactions=len(orders), control_sum=message.control_sum,
        content=content, sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    CreditTransferOrder.objects.filter(pk__in=[o.pk for o in orders]).update(file=sepa_file)
    audit_record(entity=entity, actor=by, action="credit_transfer_file.generated", obj=sepa_file,
                 after={"message_id": message_id, "transactions": len(orders), "control_sum": sepa_file.control_sum,
                        "sha256": sepa_file.sha256})  # fmt: skip
    return sepa_file

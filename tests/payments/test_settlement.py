"""Whether an invoice is paid is derived from the money allocated to it and the credit notes against it;
its lifecycle status never moves because of a payment."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.accounts.models import Membership
from facturier.audit.models import AuditEvent
from facturier.audit.verify import verify_all
from facturier.common.errors import Conflict, PermissionDenied, ValidationFailed
from facturier.invoicing.models import Status
from facturier.invoicing.services import credit_note_create, invoice_issue, invoice_mark_sent
from facturier.parties.models import Customer
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import Settlement, settlement_of, unallocated_credit
from facturier.payments.services import (
    allocation_remove,
    payment_allocate,
    payment_record,
    payment_record_for_invoice,
    payment_reverse,
)

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def test_payments_settle_an_invoice_partially_then_fully_and_leave_its_status_alone(invoice, owner):
    # given an issued invoice of 3,204.60, nothing paid
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    # when 1,000 arrive
    payment_record_for_invoice(invoice=invoice, amount=Decimal("1000.00"), received_on=DAY, by=owner)
    # then it is partially paid, still "issued"
    state = settlement_of(invoice)
    assert (state.settlement, state.paid, state.balance) == (
        Settlement.PARTIALLY_PAID, Decimal("1000.00"), Decimal("2204.60"),
    )  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.status == Status.ISSUED
    # when the rest arrives, then it is paid
    payment_record_for_invoice(invoice=invoice, amount=Decimal("2204.60"), received_on=DAY, by=owner)
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert settlement_of(invoice).balance == Decimal("0.00")


def test_paying_more_than_the_balance_of_one_invoice_is_refused_and_nothing_is_written(invoice, owner):
    with pytest.raises(ValidationFailed) as error:
        payment_record_for_invoice(invoice=invoice, amount=Decimal("9999.00"), received_on=DAY, by=owner)
    assert error.value.code == "overpayment"
    assert not Payment.objects.exists()
    assert not Allocation.objects.exists()


def test_money_not_allocated_stays_the_customers_credit_and_can_be_applied_later(invoice, entity, owner):
    # given 5,000 received from the customer, 3,000 of it applied to the invoice
    payment = payment_record(entity=entity, customer=invoice.customer, amount=Decimal("5000.00"), received_on=DAY,
                             by=owner, allocations=[(invoice, Decimal("3000.00"))])  # fmt: skip
    # then 2,000 is the customer's credit
    assert unallocated_credit(invoice.customer) == Decimal("2000.00")
    # when 204.60 more of it is applied, then the invoice is paid and 1,795.40 remains as credit
    payment_allocate(payment=payment, document=invoice, amount=Decimal("204.60"), by=owner)
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert unallocated_credit(invoice.customer) == Decimal("1795.40")
    assert Allocation.objects.get(payment=payment, document=invoice).amount == Decimal("3204.60")
    # and allocating more than the payment holds is refused
    with pytest.raises(ValidationFailed) as error:
        payment_allocate(payment=payment, document=invoice, amount=Decimal("1800.00"), by=owner)
    assert error.value.code == "over_allocation"


def test_allocations_above_the_payment_are_refused(invoice, entity, owner):
    with pytest.raises(ValidationFailed) as error:
        payment_record(entity=entity, customer=invoice.customer, amount=Decimal("100.00"), received_on=DAY,
                       by=owner, allocations=[(invoice, Decimal("150.00"))])  # fmt: skip
    assert error.value.code == "over_allocation"
    assert not Payment.objects.exists()


def test_a_payment_of_another_customer_or_currency_cannot_settle_the_invoice(invoice, entity, owner):
    other = Customer.objects.create(entity=entity, code="C-OTHER", name="Autre SA", address_line1="1 rue A",
                                    postcode="75001", city="Paris")  # fmt: skip
    with pytest.raises(ValidationFailed) as error:
        payment_record(entity=entity, customer=other, amount=Decimal("10.00"), received_on=DAY, by=owner,
                       allocations=[(invoice, Decimal("10.00"))])  # fmt: skip
    assert error.value.code == "wrong_customer"
    with pytest.raises(ValidationFailed) as error:
        payment_record(entity=entity, customer=invoice.customer, amount=Decimal("10.00"), received_on=DAY,
                       by=owner, currency="USD", allocations=[(invoice, Decimal("10.00"))])  # fmt: skip
    assert error.value.code == "currency_mismatch"
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5.00", "10.001"])
def test_zero_negative_or_sub_cent_amounts_are_refused(invoice, owner, amount):
    with pytest.raises(ValidationFailed) as error:
        payment_record_for_invoice(invoice=invoice, amount=Decimal(amount), received_on=DAY, by=owner)
    assert error.value.code == "invalid_amount"


def test_a_draft_cannot_be_paid(draft_invoice, owner):
    with pytest.raises(Conflict) as error:
        payment_record_for_invoice(invoice=draft_invoice, amount=Decimal("10.00"), received_on=DAY, by=owner)
    assert error.value.code == "not_payable"


def test_sales_people_cannot_record_payments(invoice, colleague, entity):
    Membership.objects.filter(user=colleague, entity=entity).update(role="sales")
    with pytest.raises(PermissionDenied):
        payment_record_for_invoice(invoice=invoice, amount=Decimal("10.00"), received_on=DAY, by=colleague)


def test_unallocating_and_reversing_reopen_the_invoice_and_are_audited(invoice, owner):
    # given the invoice paid by two payments
    first = payment_record_for_invoice(invoice=invoice, amount=Decimal("1204.60"), received_on=DAY, by=owner)
    second = payment_record_for_invoice(invoice=invoice, amount=Decimal("2000.00"), received_on=DAY, by=owner)
    assert settlement_of(invoice).settlement == Settlement.PAID
    # when the first allocation is taken back, then 1,204.60 is due again and credit to the customer
    allocation_remove(allocation=first.allocations.get(), by=owner)
    assert settlement_of(invoice).balance == Decimal("1204.60")
    assert unallocated_credit(invoice.customer) == Decimal("1204.60")
    # when the second payment is reversed (returned by the bank), then nothing is paid any more
    payment_reverse(payment=second, by=owner, reason="Rejet bancaire AC04")
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    second.refresh_from_db()
    assert second.is_reversed
    with pytest.raises(Conflict):
        payment_reverse(payment=second, by=owner, reason="twice")
    # and every step is in the audit trail, which still verifies
    actions = list(AuditEvent.objects.order_by("occurred_at", "position").values_list("action", flat=True))
    assert actions.count("invoice.payment_recorded") == 2
    assert actions.count("invoice.payment_unallocated") == 2
    assert "payment.reversed" in actions
    assert verify_all() == []


def test_credit_notes_settle_the_invoice_they_correct(invoice, owner):
    # given 1,000 paid on the invoice
    payment_record_for_invoice(invoice=invoice, amount=Decimal("1000.00"), received_on=DAY, by=owner)
    invoice_mark_sent(invoice=invoice, by=owner)
    # when the invoice is credited in full
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    invoice.refresh_from_db()
    # then it is cancelled, and overpaid by the 1,000 received: a refund (or credit) is due
    assert invoice.status == Status.CANCELLED
    state = settlement_of(invoice)
    assert (state.settlement, state.credited, state.balance) == (
        Settlement.OVERPAID, credit_note.tax_inclusive, Decimal("-1000.00"),
    )  # fmt: skip

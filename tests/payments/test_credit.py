"""Refunds, the customer's credit applied later, credit notes offsetting other invoices, exchange differences."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.common.errors import Conflict, ValidationFailed
from facturier.invoicing.services import LineData, credit_note_create, document_create, invoice_issue
from facturier.jobs.models import OutboxEvent
from facturier.payments.credit import available_credit, credit_apply, credit_note_offset, payment_refund
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import Settlement, settlement_of, statement_of_account, unallocated_credit
from facturier.payments.services import (
    allocation_remove,
    payment_record,
    payment_record_for_invoice,
    payment_reverse,
)

DAY = dt.date(2026, 11, 23)
pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def _small_invoice(entity, customer, owner, price: str, **header):
    lines = [LineData(description="Prestation", quantity=Decimal("1"), unit_price=Decimal(price))]
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=lines, **header)
    return invoice_issue(invoice=draft, by=owner)


def test_an_overpayment_stays_credit_and_is_applied_to_the_next_invoice(invoice, entity, customer, owner):
    # given 3,500 received for an invoice of 3,204.60: 295.40 is left as the customer's credit
    payment_record(entity=entity, customer=customer, amount=Decimal("3500.00"), received_on=DAY, by=owner,
                   allocations=[(invoice, Decimal("3204.60"))])  # fmt: skip
    assert unallocated_credit(customer) == Decimal("295.40")
    # when a new invoice of 120 is issued and the credit applied to it
    second = _small_invoice(entity, customer, owner, "100.00")
    (allocation,) = credit_apply(customer=customer, target=second, by=owner)
    # then it is paid from the credit, and 175.40 of credit is left
    assert allocation.amount == Decimal("120.00")
    assert settlement_of(second).settlement == Settlement.PAID
    assert unallocated_credit(customer) == Decimal("175.40")


def test_applying_more_credit_than_the_customer_has_is_refused(invoice, customer, owner):
    with pytest.raises(ValidationFailed) as refused:
        credit_apply(customer=customer, target=invoice, by=owner, amount=Decimal("10.00"))
    assert refused.value.code == "insufficient_credit"
    assert not Allocation.objects.exists()


def test_a_refund_of_credit_is_a_negative_payment_that_uses_it_up(invoice, entity, customer, owner):
    # given 100 of credit
    payment_record(entity=entity, customer=customer, amount=Decimal("100.00"), received_on=DAY, by=owner)
    # when 60 are refunded, then 50 more asked
    refund = payment_refund(
        customer=customer, amount=Decimal("60.00"), refunded_on=DAY, by=owner, reference="VIR-1"
    )
    with pytest.raises(ValidationFailed) as refused:
        payment_refund(customer=customer, amount=Decimal("50.00"), refunded_on=DAY, by=owner)
    # then the refund is recorded as -60, 40 of credit is left, the second refund was refused, and audited
    assert refund.amount == Decimal("-60.00")
    assert refund.is_refund
    assert refused.value.code == "insufficient_credit"
    assert available_credit(customer, "EUR") == Decimal("40.00")
    assert unallocated_credit(customer) == Decimal("40.00")
    assert OutboxEvent.objects.filter(type="payment.refunded", subject_id=str(refund.pk)).count() == 1
    # and the statement of account shows it as a debit
    assert [line.debit for line in statement_of_account(customer) if line.label == "Remboursement"] == [
        Decimal("60.00")
    ]


def test_a_paid_then_credited_invoice_is_overpaid_and_its_refund_settles_it(invoice, customer, owner):
    # given an invoice paid in full and then fully credited: the customer paid 3,204.60 too much
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    assert settlement_of(invoice).settlement == Settlement.OVERPAID
    # when the money is refunded on the invoice
    payment_refund(customer=customer, invoice=invoice, amount=Decimal("3204.60"), refunded_on=DAY, by=owner)
    # then it is settled (nothing owed either way) and audited on the invoice
    assert settlement_of(invoice).balance == Decimal("0.00")
    assert AuditEvent.objects.filter(action="invoice.payment_refunded", object_id=str(invoice.pk)).exists()
    # and refunding once more is refused
    with pytest.raises(Conflict) as refused:
        payment_refund(customer=customer, invoice=invoice, amount=Decimal("1.00"), refunded_on=DAY, by=owner)
    assert refused.value.code == "not_overpaid"


def test_a_credit_note_that_left_its_invoice_overpaid_offsets_another_invoice(
    invoice, entity, customer, owner
):
    # given a paid invoice, then credited by 600 (+20 % VAT = 720): it is overpaid by 720
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    lines = [LineData(description="Remise", quantity=Decimal("1"), unit_price=Decimal("600.00"))]
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner, lines=lines), by=owner)
    assert settlement_of(invoice).balance == Decimal("-720.00")
    second = _small_invoice(entity, customer, owner, "500.00")  # 600.00
    # when the credit note is applied to the second invoice
    offset = credit_note_offset(credit_note=credit_note, invoice=second, amount=Decimal("600.00"), by=owner)
    # then the second invoice is paid, the first is overpaid by 120 only, and no money appeared as credit
    assert settlement_of(second).settlement == Settlement.PAID
    assert settlement_of(invoice).balance == Decimal("-120.00")
    assert offset.method == "compensation"
    assert offset.amount == Decimal("0.00")
    assert unallocated_credit(customer) == Decimal("0.00")
    assert OutboxEvent.objects.filter(type="credit_note.offset", subject_id=str(credit_note.pk)).count() == 1
    # and more than what is left of it is refused
    third = _small_invoice(entity, customer, owner, "500.00")
    with pytest.raises(ValidationFailed) as refused:
        credit_note_offset(credit_note=credit_note, invoice=third, amount=Decimal("200.00"), by=owner)
    assert refused.value.code == "over_allocation"
    # the statement of account counts the credit note once
    assert statement_of_account(customer)[-1].balance == Decimal("600.00") - Decimal("120.00")


def test_reversing_an_offset_puts_the_credit_back_on_the_credited_invoice(invoice, entity, customer, owner):
    payment_record_for_invoice(invoice=invoice, amount=Decimal("3204.60"), received_on=DAY, by=owner)
    credit_note = invoice_issue(invoice=credit_note_create(invoice=invoice, by=owner), by=owner)
    second = _small_invoice(entity, customer, owner, "100.00")
    offset = credit_note_offset(credit_note=credit_note, invoice=second, amount=Decimal("120.00"), by=owner)
    # one side of it cannot be taken back alone
    with pytest.raises(Conflict) as refused:
        allocation_remove(allocation=offset.allocations.first(), by=owner)
    assert refused.value.code == "offset_not_split"
    payment_reverse(payment=offset, by=owner, reason="wrong invoice")
    assert settlement_of(second).settlement == Settlement.UNPAID
    assert settlement_of(invoice).balance == Decimal("-3204.60")


def test_a_foreign_currency_payment_a_little_short_is_settled_with_an_exchange_difference(
    entity, customer, owner
):
    # given an invoice of 1,200 USD
    invoice = _small_invoice(
        entity, customer, owner, "1000.00", currency="USD", exchange_rate=Decimal("1.08")
    )
    assert invoice.payable == Decimal("1200.00")
    # when 1,195.50 USD arrive (the banks kept 4.50) and the difference is written off
    payment_record_for_invoice(invoice=invoice, amount=Decimal("1195.50"), received_on=DAY, by=owner,
                               write_off_difference=True)  # fmt: skip
    # then the invoice is paid, the difference recorded on the allocation and audited
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert Allocation.objects.get(document=invoice).difference == Decimal("4.50")
    assert OutboxEvent.objects.filter(type="invoice.exchange_difference", subject_id=str(invoice.pk)).exists()


def test_an_exchange_difference_is_refused_when_large_or_in_the_companys_own_currency(
    invoice, entity, customer, owner
):
    # in euros (the company's currency) there is no exchange difference
    with pytest.raises(ValidationFailed) as refused:
        payment_record_for_invoice(invoice=invoice, amount=Decimal("3200.00"), received_on=DAY, by=owner,
                                   write_off_difference=True)  # fmt: skip
    assert refused.value.code == "difference_not_allowed"
    dollars = _small_invoice(
        entity, customer, owner, "1000.00", currency="USD", exchange_rate=Decimal("1.08")
    )
    # more than 1 % of 1,200 is not a small difference
    with pytest.raises(ValidationFailed) as refused:
        payment_record_for_invoice(invoice=dollars, amount=Decimal("1180.00"), received_on=DAY, by=owner,
                                   write_off_difference=True)  # fmt: skip
    assert refused.value.code == "difference_too_large"
    assert not Payment.objects.exists()

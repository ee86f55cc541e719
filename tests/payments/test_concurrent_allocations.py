"""Races on PostgreSQL: two clerks settling one invoice send one receipt; the same credit or open item is
never spent twice."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from facturier.audit.models import AuditEvent
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.jobs.models import JobRun
from facturier.payments.credit import credit_apply
from facturier.payments.models import Allocation, OpenItem
from facturier.payments.selectors import Settlement, settlement_of
from facturier.payments.services import payment_record, payment_record_for_invoice
from tests.pg_race import race

DAY = dt.date(2026, 11, 23)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_halves_settling_an_invoice_at_once_send_one_receipt(draft_invoice, owner, settings):
    settings.EMAIL_URL = "memory://"
    invoice = invoice_issue(invoice=draft_invoice, by=owner)  # 3,204.60

    def half() -> None:
        payment_record_for_invoice(invoice=invoice, amount=Decimal("1602.30"), received_on=DAY, by=owner)

    # when two clerks each record half of it at the same moment
    assert race(half, half) == ["done", "done"]
    # then it is paid, and the customer got exactly one receipt
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert JobRun.objects.filter(key=f"receipt:{invoice.pk}").count() == 1
    assert AuditEvent.objects.filter(action="invoice.receipt_sent", object_id=str(invoice.pk)).count() == 1
    assert len(mail.outbox) == 1


def test_the_same_credit_applied_to_two_invoices_at_once_is_spent_once(entity, customer, product, owner):
    invoices = [
        invoice_issue(
            invoice=document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                    lines=[LineData(product=product, quantity=Decimal("1"))]),
            by=owner,
        )  # 1,020.00 each
        for _ in range(2)
    ]  # fmt: skip
    payment_record(entity=entity, customer=customer, amount=Decimal("1020.00"), received_on=DAY, by=owner)

    def apply_to(invoice):  # type: ignore[no-untyped-def]
        return lambda: credit_apply(customer=customer, target=invoice, by=owner, amount=Decimal("1020.00"))

    assert race(apply_to(invoices[0]), apply_to(invoices[1])) == ["done", "insufficient_credit"]
    assert Allocation.objects.count() == 1


def test_an_open_item_is_never_allocated_beyond_its_balance_by_two_clerks(entity, customer, owner):
    item = OpenItem.objects.create(entity=entity, customer=customer, number="OLD-1", issue_date=DAY,
                                   due_date=DAY, amount=Decimal("1000.00"), currency="EUR")  # fmt: skip

    def pay() -> None:
        payment_record(entity=entity, customer=customer, amount=Decimal("700.00"), received_on=DAY, by=owner,
                       allocations=[(item, Decimal("700.00"))])  # fmt: skip

    assert race(pay, pay) == ["done", "overpayment"]
    assert Allocation.objects.filter(open_item=item).count() == 1

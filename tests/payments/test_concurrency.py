"""Two clerks applying money to the same invoice at the same moment never allocate it beyond its balance."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.invoicing.services import invoice_issue
from facturier.payments.models import Allocation
from facturier.payments.selectors import settlement_of
from facturier.payments.services import payment_record_for_invoice
from tests.pg_race import race


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_payments_of_the_same_invoice_cannot_both_be_allocated(draft_invoice, owner):
    # given an issued invoice of 3,204.60
    invoice = invoice_issue(invoice=draft_invoice, by=owner)

    def clerk() -> None:
        payment_record_for_invoice(invoice=invoice, amount=Decimal("2000.00"), received_on=dt.date(2026, 11, 23),
                                   by=owner)  # fmt: skip

    # when two clerks each apply 2,000 to it at once
    # then one is recorded, the other refused, and the invoice is allocated 2,000 once
    assert race(clerk, clerk) == ["done", "overpayment"]
    assert Allocation.objects.filter(document=invoice).count() == 1
    assert settlement_of(invoice).balance == Decimal("1204.60")

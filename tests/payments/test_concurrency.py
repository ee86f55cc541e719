"""Two clerks applying money to the same invoice at the same moment never allocate it beyond its balance."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from facturier.common.errors import ValidationFailed
from facturier.invoicing.services import invoice_issue
from facturier.payments.models import Allocation
from facturier.payments.selectors import settlement_of
from facturier.payments.services import payment_record_for_invoice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_payments_of_the_same_invoice_cannot_both_be_allocated(draft_invoice, owner):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://... (CI does)")
    # given an issued invoice of 3,204.60
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk() -> None:
        try:
            barrier.wait(timeout=10)
            payment_record_for_invoice(invoice=invoice, amount=Decimal("2000.00"), received_on=dt.date(2026, 11, 23),
                                       by=owner)  # fmt: skip
            outcomes.append("recorded")
        except ValidationFailed as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    # when two clerks each apply 2,000 to it at once
    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then one is recorded, the other refused, and the invoice is allocated 2,000 once
    assert sorted(outcomes) == ["overpayment", "recorded"]
    assert Allocation.objects.filter(document=invoice).count() == 1
    assert settlement_of(invoice).balance == Decimal("1204.60")

"""Two clerks linking one payment recorded by hand to two bank lines at the same moment (PostgreSQL, real
concurrent transactions): the payment is locked, one line takes it, the other is told it is taken."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.banking.models import BankLine, LineStatus, Reconciliation
from facturier.banking.payment_link import line_match_payment
from facturier.payments.models import Payment
from facturier.payments.services import payment_record_for_invoice
from tests.banking.reconciliation_helpers import import_rows, issued
from tests.pg_race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_one_payment_linked_to_two_lines_at_once_is_reconciled_once(
    entity, customer, owner, colleague, account
):
    invoice = issued(entity, customer, owner, "100.00")  # 120.00
    payment = payment_record_for_invoice(
        invoice=invoice, amount=Decimal("120.00"), received_on=invoice.issue_date, by=owner
    )
    # the same transfer appears on two lines (two accounts' statements, say)
    import_rows(entity, [("06/11/2026", "", "120,00", "VIREMENT A", "MARTIN"),
                         ("06/11/2026", "", "120,00", "VIREMENT B", "MARTIN")])  # fmt: skip
    first, second = BankLine.objects.order_by("remittance")
    outcomes = race(
        lambda: line_match_payment(line=first, payment_id=payment.pk, by=owner),
        lambda: line_match_payment(line=second, payment_id=payment.pk, by=colleague),
    )
    assert outcomes == ["bank_line_already_decided", "done"]
    assert Reconciliation.objects.filter(payment=payment, undone_at__isnull=True).count() == 1
    assert sorted(BankLine.objects.values_list("status", flat=True)) == [
        LineStatus.MANUAL,
        LineStatus.UNRECONCILED,
    ]
    assert Payment.objects.count() == 1

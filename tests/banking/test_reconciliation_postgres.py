"""Two clerks reconciling the same bank line at the same moment (PostgreSQL, real concurrent transactions):
one wins, the other gets a clear conflict, and the money is counted once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facturier.banking.models import BankLine, LineStatus, Reconciliation
from facturier.banking.reconciliation import line_mark_unrelated, line_match, proposal_accept
from facturier.banking.reconciliation_inputs import item_key
from facturier.payments.models import Allocation, Payment
from facturier.payments.selectors import Settlement, settlement_of
from tests.banking.reconciliation_helpers import import_rows, issued
from tests.pg_race import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_clerks_matching_the_same_line_at_once_pay_the_invoice_once(
    entity, customer, owner, colleague, account
):
    # given one transfer and one invoice it pays
    invoice = issued(entity, customer, owner, "100.00")  # 120.00
    import_rows(entity, [("06/11/2026", "", "120,00", "VIREMENT", "INCONNU")])
    line = BankLine.objects.get()
    parts = [(item_key(invoice), Decimal("120.00"))]
    # when two clerks match it at the same moment
    outcomes = race(
        lambda: line_match(line=line, parts=parts, by=owner),
        lambda: line_match(line=line, parts=parts, by=colleague),
    )
    # then one is done, the other told the line was already decided
    assert outcomes == ["bank_line_already_decided", "done"]
    assert Payment.objects.count() == 1
    assert Allocation.objects.count() == 1
    assert Reconciliation.objects.count() == 1
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert BankLine.objects.get().status == LineStatus.MANUAL


def test_accepting_a_proposal_while_another_clerk_marks_the_line_unrelated_counts_nothing_twice(
    entity, customer, owner, colleague, account
):
    invoice = issued(entity, customer, owner, "100.00")
    import_rows(entity, [("06/11/2026", "", "120,00", "VIREMENT", "INCONNU")])
    line = BankLine.objects.get()
    BankLine.objects.filter(pk=line.pk).update(
        status=LineStatus.PROPOSED, score=Decimal("0.8"),
        proposed_allocations=[{"item_key": item_key(invoice), "amount": "120.00"}],
    )  # fmt: skip
    outcomes = race(
        lambda: proposal_accept(line=line, by=owner),
        lambda: line_mark_unrelated(line=line, by=colleague),
    )
    assert outcomes == ["bank_line_already_decided", "done"]
    assert Reconciliation.objects.count() == 1
    status = BankLine.objects.get().status
    assert Payment.objects.count() == (1 if status == LineStatus.MANUAL else 0)

"""Reconciling an imported statement: the certain lines are paid, the likely proposed with their reasons,
every decision audited and reversible, and what a clerk matches by hand teaches the next run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.banking.models import BankLine, LineStatus, PayerAlias, Reconciliation
from facturier.banking.reasons import describe_all, labels_for
from facturier.banking.reconciliation import (
    line_mark_unrelated,
    line_match,
    line_undo,
    proposal_accept,
    proposal_reject,
    reconciliation_run,
)
from facturier.banking.reconciliation_inputs import item_key
from facturier.common.errors import Conflict, ValidationFailed
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of, unallocated_credit
from tests.banking.reconciliation_helpers import customer_named, import_rows, issued

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


@pytest.fixture
def invoices(entity, customer, owner, account):
    durand = customer_named(entity, "SARL Durand", "C002")
    return {
        "martin": issued(entity, customer, owner, "1000.00"),  # 1,200.00
        "durand_a": issued(entity, durand, owner, "250.00"),  # 300.00
        "durand_b": issued(entity, durand, owner, "50.00"),  # 60.00
        "fees": issued(entity, customer, owner, "100.00"),  # 120.00
    }


def _line(text: str) -> BankLine:
    return BankLine.objects.get(remittance__contains=text)


def test_an_imported_statement_settles_the_certain_lines_and_explains_the_rest(entity, invoices, owner):
    martin, durand_a, durand_b, fees = (invoices[k] for k in ("martin", "durand_a", "durand_b", "fees"))
    # given a statement: an exact transfer, bank charges, a grouped payment, a transfer 3 EUR short
    import_rows(entity, [
        ("03/11/2026", "", "1 200,00", f"VIR {martin.number}", "BOULANGERIE MARTIN"),
        ("04/11/2026", "12,50", "", "FRAIS TENUE DE COMPTE", ""),
        ("05/11/2026", "", "360,00", f"VIR {durand_a.number} {durand_b.number}", "SARL DURAND"),
        ("06/11/2026", "", "117,00", f"REGLEMENT {fees.number}", "BOULANGERIE MARTIN"),
    ])  # fmt: skip
    # when reconciliation runs
    summary = reconciliation_run(entity=entity, by=None)
    # then the exact and the grouped payments are settled automatically
    assert summary.examined == 3  # the bank charges are money out
    for invoice in (martin, durand_a, durand_b):
        assert settlement_of(invoice).settlement == Settlement.PAID
    assert _line(martin.number).status == LineStatus.AUTO
    grouped = _line(durand_a.number)
    assert grouped.status == LineStatus.AUTO
    assert sorted(part["item_key"] for part in grouped.proposed_allocations) == sorted(
        [item_key(durand_a), item_key(durand_b)]
    )
    payment = Reconciliation.objects.get(line=grouped).payment
    assert (payment.amount, payment.method, payment.payer) == (Decimal("360.00"), "transfer", "SARL DURAND")
    # and the short transfer is settled with 3 EUR of bank fees booked to the configured account
    short = _line(fees.number)
    assert short.status == LineStatus.AUTO, short.reasons
    decision = Reconciliation.objects.get(line=short)
    assert (decision.fee_amount, decision.fee_account) == (Decimal("3.00"), "627")
    assert settlement_of(fees).settlement == Settlement.PAID
    # and every line says why, in words
    reasons = describe_all(short.reasons, labels_for([short.reasons]))
    assert fees.number in reasons
    assert AuditEvent.objects.filter(action="bank_line.reconciled").count() == 3


def test_a_proposal_is_accepted_rejected_or_undone_and_nothing_is_counted_twice(entity, invoices, owner):
    fees = invoices["fees"]
    # given a transfer that names no invoice, from the right customer for the right amount
    import_rows(entity, [("06/11/2026", "", "120,00", "VIREMENT NOVEMBRE", "BOULANGERIE MARTIN SARL")])
    reconciliation_run(entity=entity, by=None)
    line = _line("NOVEMBRE")
    if line.status == LineStatus.AUTO:  # the engine is sure: undo to work it by hand
        line_undo(line=line, by=owner)
        line.refresh_from_db()
    assert line.status in (LineStatus.PROPOSED, LineStatus.UNRECONCILED)
    # when the clerk matches it by hand, then accepting a stale proposal is a conflict
    line_match(line=line, parts=[(item_key(fees), Decimal("120.00"))], by=owner)
    assert settlement_of(fees).settlement == Settlement.PAID
    with pytest.raises(Conflict):
        line_match(line=line, parts=[(item_key(fees), Decimal("120.00"))], by=owner)
    with pytest.raises(Conflict):
        proposal_accept(line=line, by=owner)
    assert Payment.objects.filter(reversed_at__isnull=True).count() == 1
    # when it is undone, then the payment is reversed and the invoice owed again
    line_undo(line=line, by=owner)
    line.refresh_from_db()
    assert line.status == LineStatus.UNRECONCILED
    assert settlement_of(fees).settlement == Settlement.UNPAID
    assert Payment.objects.filter(reversed_at__isnull=True).count() == 0
    assert AuditEvent.objects.filter(action="bank_line.reconciliation_undone").count() >= 1


def test_a_line_is_split_across_invoices_and_a_small_difference_written_off(entity, invoices, owner):
    durand_a, durand_b = invoices["durand_a"], invoices["durand_b"]
    # given 359.40 received that names nothing useful
    import_rows(entity, [("07/11/2026", "", "359,40", "PAIEMENT", "M DUPOND")])
    reconciliation_run(entity=entity, by=None)
    line = _line("PAIEMENT")
    assert line.status != LineStatus.AUTO
    # when the clerk splits it over the two invoices and writes off the 0.60 missing
    line_match(line=line, by=owner, write_off="writeoff",
               parts=[(item_key(durand_a), Decimal("300.00")), (item_key(durand_b), Decimal("60.00"))])  # fmt: skip
    # then both invoices are paid and the write-off is recorded with its account
    assert settlement_of(durand_a).settlement == Settlement.PAID
    assert settlement_of(durand_b).settlement == Settlement.PAID
    decision = Reconciliation.objects.get(line=line, undone_at__isnull=True)
    assert (decision.writeoff_amount, decision.writeoff_account) == (Decimal("0.60"), "658")
    # and the payer is learned for the customer
    assert PayerAlias.objects.filter(customer=durand_a.customer, kind="name", value="M DUPOND").exists()


def test_a_difference_beyond_the_tolerance_is_refused_and_nothing_is_written(entity, invoices, owner):
    import_rows(entity, [("07/11/2026", "", "250,00", "PAIEMENT", "X")])
    line = _line("PAIEMENT")
    with pytest.raises(ValidationFailed):
        line_match(line=line, parts=[(item_key(invoices["durand_a"]), Decimal("300.00"))], by=owner,
                   write_off="writeoff")  # fmt: skip
    assert not Payment.objects.exists()
    line.refresh_from_db()
    assert line.status == LineStatus.UNRECONCILED


def test_an_overpayment_matched_by_hand_leaves_the_rest_as_customer_credit(entity, invoices, owner):
    martin = invoices["martin"]
    import_rows(entity, [("08/11/2026", "", "1 250,00", "ACOMPTE", "BOULANGERIE MARTIN")])
    line = _line("ACOMPTE")
    decision = line_match(line=line, parts=[(item_key(martin), Decimal("1200.00"))], by=owner)
    assert decision.credit_amount == Decimal("50.00")
    assert unallocated_credit(martin.customer) == Decimal("50.00")


def test_a_rejected_proposal_is_not_proposed_again_and_unrelated_lines_are_left_alone(
    entity, invoices, owner
):
    import_rows(entity, [
        ("06/11/2026", "", "120,00", "VIREMENT", "BOULANGERIE MARTIN SARL"),
        ("09/11/2026", "", "45,00", "REMBOURSEMENT ASSURANCE", "AXA"),
    ])  # fmt: skip
    reconciliation_run(entity=entity, by=None)
    line = _line("VIREMENT")
    if line.status == LineStatus.PROPOSED:
        proposal_reject(line=line, by=owner)
        reconciliation_run(entity=entity, by=None)
        line.refresh_from_db()
        assert line.status == LineStatus.UNRECONCILED
        assert line.reasons[0]["code"] == "proposal_rejected"
    other = _line("ASSURANCE")
    line_mark_unrelated(line=other, by=owner)
    reconciliation_run(entity=entity, by=None)
    other.refresh_from_db()
    assert other.status == LineStatus.UNRELATED
    with pytest.raises(Conflict):
        line_mark_unrelated(line=other, by=owner)


def test_what_a_clerk_matched_by_hand_is_reconciled_automatically_next_time(entity, customer, owner, account):
    # given two invoices of the customer and a payer nobody knows, who quotes no invoice number
    first = issued(entity, customer, owner, "410.00")  # 492.00
    second = issued(entity, customer, owner, "77.00")  # 92.40
    import_rows(entity, [("03/11/2026", "", "492,00", "PAIEMENT FACTURE", "JEAN-PIERRE DUVAL")], "one.csv")
    reconciliation_run(entity=entity, by=None)
    line = _line("PAIEMENT FACTURE")
    assert line.status != LineStatus.AUTO
    before = line.score or 0
    # when the clerk matches it by hand
    line_match(line=line, parts=[(item_key(first), Decimal("492.00"))], by=owner)
    # then the next payment from the same payer is recognised better than the first was
    import_rows(entity, [("10/11/2026", "", "92,40", "PAIEMENT", "JEAN-PIERRE DUVAL")], "two.csv")
    reconciliation_run(entity=entity, by=None)
    again = BankLine.objects.get(amount=Decimal("92.40"))
    assert again.status in (LineStatus.AUTO, LineStatus.PROPOSED)
    assert again.score > before
    assert any(reason["code"] == "name_alias" for reason in again.reasons)
    assert again.proposed_allocations[0]["item_key"] == item_key(second)

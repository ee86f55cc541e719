from decimal import Decimal

from facturier.domain.creditor_reference import from_invoice_number, printed
from facturier.domain.reconciliation import Allocation, Rules, Status, reconcile

from .factories import book, item, line


def only(match_list):
    assert len(match_list) == 1
    return match_list[0]


def codes(match):
    return [reason.code for reason in match.reasons]


def test_exact_invoice_number_and_amount_is_reconciled_automatically():
    # given an open invoice, when a transfer quotes its number and pays it exactly
    match = only(reconcile([line("1200.00", "Facture FAC-2026-00042")], book()))
    # then it is reconciled without a human, with its reasons
    assert match.status is Status.AUTO
    assert match.allocations == (Allocation("i1", Decimal("1200.00")),)
    assert match.difference == 0
    assert match.difference_kind == ""
    assert match.customer_key == "c1"
    assert {"reference_exact", "amount_exact"} <= set(codes(match))
    assert match.score >= Rules().auto_threshold


def test_reformatted_number_matches_case_spaces_separators_and_leading_zeros():
    for remittance in ("fac 2026 42", "FAC/2026/042", "Reglement fac2026-00042 merci", "FAC202600042"):
        match = only(reconcile([line("1200.00", remittance)], book()))
        assert match.status is Status.AUTO, remittance
        assert [a.item_key for a in match.allocations] == ["i1"]


def test_mistyped_number_with_the_amount_and_the_payer_is_reconciled():
    # given a payer who swapped two digits (FAC-2026-00024 does not exist)
    swapped = line("1200.00", "FAC-2026-00024", payer="BOULANGERIE MARTIN")
    # and one who typed a wrong digit that is another real invoice number, of another amount
    wrong_digit = line("1200.00", "FAC-2026-00043", payer="Boulangerie Martin", key="l2")
    matches = reconcile([swapped, wrong_digit], book())
    assert [m.status for m in matches] == [Status.AUTO, Status.PROPOSED]
    assert "reference_fuzzy" in codes(matches[0])
    # the second line is a proposal only because the first already took i1 in this run
    assert codes(matches[1])[0] == "item_already_allocated"
    assert [a.item_key for a in matches[1].allocations] == ["i1"]


def test_mistyped_number_without_the_payer_is_only_proposed():
    match = only(reconcile([line("1200.00", "FAC-2026-00024")], book()))
    assert match.status is Status.PROPOSED
    assert [a.item_key for a in match.allocations] == ["i1"]
    assert "reference_fuzzy" in codes(match)


def test_rf_creditor_reference_in_the_structured_field_or_the_text():
    reference = from_invoice_number("FAC-2026-00042")
    structured = line("1200.00", reference=reference)
    in_text = line("1200.00", f"Paiement {printed(reference)}", key="l2")
    for match in (only(reconcile([structured], book())), only(reconcile([in_text], book()))):
        assert match.status is Status.AUTO
        assert [a.item_key for a in match.allocations] == ["i1"]
        assert codes(match)[0] == "rf_reference"


def test_one_transfer_paying_several_invoices_of_a_customer():
    # given a transfer quoting three invoices of one customer and paying their total
    match = only(reconcile([line("440.40", "Factures FAC-2026-00043 FAC-2026-00044 FAC-2026-00045")], book()))
    assert match.status is Status.AUTO
    assert sorted(a.item_key for a in match.allocations) == ["i2", "i3", "i4"]
    assert sum(a.amount for a in match.allocations) == Decimal("440.40")
    assert "grouped_payment" in codes(match)


def test_several_invoices_found_by_subset_sum_from_the_payer_are_proposed():
    # given no reference, the payer's name and an amount that only two of their invoices add up to
    match = only(reconcile([line("130.00", "VIREMENT", payer="DUPONT FRERES")], book()))
    assert match.status is Status.PROPOSED
    assert sorted(a.item_key for a in match.allocations) == ["i2", "i3"]


def test_partial_payment_allocates_the_line_and_leaves_the_rest_open():
    match = only(reconcile([line("500.00", "FAC-2026-00042", payer="Boulangerie Martin")], book()))
    assert match.status is Status.AUTO
    assert match.allocations == (Allocation("i1", Decimal("500.00")),)
    assert match.difference == 0
    assert "partial_payment" in codes(match)
    # without the payer, an exact number with a partial amount is a proposal
    assert only(reconcile([line("500.00", "FAC-2026-00042")], book())).status is Status.PROPOSED


def test_bank_fees_deducted_settle_the_invoice_with_a_fee_difference():
    match = only(reconcile([line("1196.50", "FAC-2026-00042")], book()))
    assert match.status is Status.AUTO
    assert match.allocations == (Allocation("i1", Decimal("1200.00")),)
    assert match.difference == Decimal("-3.50")
    assert match.difference_kind == "fee"


def test_a_few_cents_short_are_written_off():
    match = only(reconcile([line("1199.97", "FAC-2026-00042")], book()))
    assert match.status is Status.AUTO
    assert match.difference == Decimal("-0.03")
    assert match.difference_kind == "writeoff"


def test_tolerances_come_from_the_rules():
    strict = Rules(fee_tolerance=Decimal("0"), writeoff_tolerance=Decimal("0"))
    match = only(reconcile([line("1199.97", "FAC-2026-00042")], book(), rules=strict))
    assert match.difference_kind == ""
    assert "partial_payment" in codes(match)


def test_overpayment_is_proposed_with_the_excess_as_customer_credit():
    match = only(reconcile([line("1250.00", "FAC-2026-00042", payer="Boulangerie Martin")], book()))
    assert match.status is Status.PROPOSED
    assert match.allocations == (Allocation("i1", Decimal("1200.00")),)
    assert match.difference == Decimal("50.00")
    assert match.difference_kind == "credit"


def test_payment_naming_only_the_customer_with_their_only_invoice_of_that_amount():
    match = only(reconcile([line("455.10", "VIREMENT", payer="KAVENOR TRANSPORTS")], book()))
    assert match.status is Status.AUTO
    assert [a.item_key for a in match.allocations] == ["i7"]
    assert {"name_match", "amount_unique_for_customer"} <= set(codes(match))


def test_payer_name_cut_short_by_the_bank_still_names_the_customer():
    match = only(reconcile([line("455.10", "VIR", payer="KAVENOR TRANSPO")], book()))
    assert match.status is Status.AUTO
    assert [a.item_key for a in match.allocations] == ["i7"]


def test_ambiguous_line_is_never_reconciled_automatically():
    # given a customer with two open invoices of 99.00, when they pay 99.00 without a reference
    match = only(reconcile([line("99.00", "VIREMENT", payer="Kavenor Transports")], book()))
    # then nothing is reconciled and both candidates are named
    assert match.status is Status.UNMATCHED
    assert match.allocations == ()
    assert codes(match)[0] == "ambiguous"
    assert sorted(sum(match.reasons[0].params["candidates"], [])) == ["i5", "i6"]


def test_two_items_with_the_same_number_are_ambiguous_unless_the_payer_tells():
    items = [
        item("a", "2026-1", "100.00"),
        item("b", "2026-1", "100.00", customer="c9", name="Zorbal Optique"),
    ]
    assert only(reconcile([line("100.00", "2026-1")], items)).status is Status.UNMATCHED
    named = only(reconcile([line("100.00", "2026-1", payer="ZORBAL OPTIQUE")], items))
    assert named.status is Status.AUTO
    assert [a.item_key for a in named.allocations] == ["b"]


def test_unrelated_lines_stay_unmatched():
    lines = [
        line("87.12", "PRLV SEPA URSSAF 2026-03", payer="URSSAF", key="a"),
        line("1200.00", "Remboursement", payer="DGFIP", key="b"),
        line("-1200.00", "FAC-2026-00042", key="c"),
        line("0", "FAC-2026-00042", key="d"),
    ]
    matches = reconcile(lines, book())
    assert [m.status for m in matches] == [Status.UNMATCHED] * 4
    assert [m.line_key for m in matches] == ["a", "b", "c", "d"]
    assert codes(matches[2]) == ["not_a_credit"]


def test_only_credits_in_the_items_currency_match():
    match = only(reconcile([line("1200.00", "FAC-2026-00042", currency="USD")], book()))
    assert match.status is Status.UNMATCHED
    assert match.allocations == ()


def test_a_payment_before_the_invoice_was_issued_is_not_certain():
    import datetime as dt

    match = only(reconcile([line("1200.00", "FAC-2026-00042", booked=dt.date(2026, 1, 1))], book()))
    assert match.status is Status.PROPOSED
    assert "paid_before_issue" in codes(match)


def test_one_item_is_not_automatically_paid_twice_in_a_run():
    # given the same invoice paid by two transfers in one statement
    first = line("1200.00", "FAC-2026-00042", payer="Boulangerie Martin", key="a")
    second = line("1200.00", "FAC-2026-00042", key="b")
    matches = reconcile([second, first], book())
    # then the more certain line takes it, the other is only proposed
    by_key = {m.line_key: m for m in matches}
    assert by_key["a"].status is Status.AUTO
    assert by_key["b"].status is Status.PROPOSED
    assert codes(by_key["b"])[0] == "item_already_allocated"


def test_an_iban_known_for_another_customer_weighs_against():
    from facturier.domain.reconciliation import CustomerHints

    hints = [CustomerHints("c2", ibans=frozenset({"FR7630006000011234567890189"}))]
    match = only(
        reconcile(
            [line("1200.00", "FAC-2026-00042", iban="FR76 3000 6000 0112 3456 7890 189")], book(), hints=hints
        )
    )
    assert match.status is Status.PROPOSED
    assert "iban_other_customer" in codes(match)


def test_grouped_payment_with_a_cut_remittance_is_completed_from_the_payers_other_items():
    # given a remittance cut short by the bank after the first number, and the exact total of three invoices
    match = only(reconcile([line("440.40", "Factures FAC-2026-00043 FAC-2", payer="Dupont Freres")], book()))
    # then the quoted invoice and the two that complete the amount are reconciled together
    assert match.status is Status.AUTO
    assert sorted(a.item_key for a in match.allocations) == ["i2", "i3", "i4"]

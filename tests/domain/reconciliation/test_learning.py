from facturier.domain.reconciliation import CustomerHints, Status, learn, reconcile

from .factories import book, line

IBAN = "FR76 3000 6000 0112 3456 7890 189"


def test_manual_match_teaches_the_payer_iban_and_name_to_the_next_run():
    # given a payer unknown to the engine (a holding paying for its subsidiary), no reference
    first = line("455.10", "VIR SEPA", payer="HOLDING GRUPO NORTE", iban=IBAN)
    assert reconcile([first], book())[0].status is Status.UNMATCHED
    # when the clerk matches it by hand to Kavenor Transports
    hints = learn(first, "c3")
    assert hints == CustomerHints(
        "c3", frozenset({"FR7630006000011234567890189"}), frozenset({"HOLDING GRUPO NORTE"})
    )
    # then next month's payment from that IBAN, or under that name, is reconciled automatically
    by_iban = line("455.10", "VIR SEPA", iban=IBAN, key="next")
    by_name = line("455.10", "VIR SEPA", payer="Holding Grupo Norte", key="other")
    matches = reconcile([by_iban], book(), hints=[hints]) + reconcile([by_name], book(), hints=[hints])
    assert [m.status for m in matches] == [Status.AUTO, Status.AUTO]
    assert [m.allocations[0].item_key for m in matches] == ["i7", "i7"]
    assert "iban_known" in [r.code for r in matches[0].reasons]
    assert "name_alias" in [r.code for r in matches[1].reasons]


def test_learning_merges_with_what_was_known_and_ignores_repeats():
    known = [
        CustomerHints("c3", frozenset({"FR7612"}), frozenset({"Grupo Norte"})),
        CustomerHints("c9", frozenset({"X"})),
    ]
    hints = learn(line("1", payer="GRUPO  NORTE", iban="fr76 12"), "c3", known)
    assert hints == CustomerHints("c3", frozenset({"FR7612"}), frozenset({"Grupo Norte"}))
    hints = learn(line("1", payer="Norte SL"), "c3", known)
    assert hints.names == {"Grupo Norte", "Norte SL"}

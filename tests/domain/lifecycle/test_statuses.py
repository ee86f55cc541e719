"""The reform's status table: labels, reasons required and allowed, statuses that need action."""

from facturier.domain.lifecycle import NEEDS_ACTION, NEEDS_REASON, STATUSES, LifecycleCode, reason_allowed


def test_the_twelve_statuses_of_the_reform_have_their_french_labels() -> None:
    expected = {
        200: "Déposée", 202: "Reçue par la plateforme", 203: "Mise à disposition", 204: "Prise en charge",
        205: "Approuvée", 206: "Approuvée partiellement", 207: "En litige", 208: "Suspendue", 210: "Refusée",
        211: "Paiement transmis", 212: "Encaissée", 213: "Rejetée",
    }  # fmt: skip
    assert {code: STATUSES[code].label_fr for code in expected} == expected
    assert LifecycleCode.REJETEE == 213


def test_only_refused_and_rejected_invoices_need_action() -> None:
    assert NEEDS_ACTION == {210, 213}
    assert NEEDS_ACTION <= NEEDS_REASON


def test_reasons_are_checked_against_the_status_they_explain() -> None:
    assert reason_allowed(213, "DOUBLON")
    assert not reason_allowed(213, "TX_TVA_ERR")  # a platform does not judge VAT rates
    assert reason_allowed(210, "TX_TVA_ERR")
    assert not reason_allowed(210, "")  # a refusal must say why
    assert reason_allowed(205, "")
    assert not reason_allowed(205, "NOT_A_CODE")

"""What each VAT category asks of the parties' identifiers (EN 16931 BR-xx-02)."""

import pytest

from facturier.domain.en16931.vat_rules import buyer_identifier_problem, seller_identifier_problem


@pytest.mark.parametrize(
    ("category", "vat", "legal", "rule"),
    [
        ("AE", False, False, "BR-AE-02"),  # reverse charge for a consumer
        ("K", False, True, "BR-IC-02"),  # intra-Community supply needs the VAT number, a SIREN is not enough
    ],
)
def test_a_buyer_without_the_identifiers_its_category_needs_is_explained(category, vat, legal, rule):
    assert rule in (buyer_identifier_problem(category, buyer_vat_id=vat, buyer_legal_id=legal) or "")


@pytest.mark.parametrize(
    ("category", "vat", "legal"),
    [("AE", False, True), ("AE", True, False), ("K", True, False), ("S", False, False), ("O", False, False)],
)
def test_a_buyer_with_what_its_category_needs_is_fine(category, vat, legal):
    assert buyer_identifier_problem(category, buyer_vat_id=vat, buyer_legal_id=legal) is None


@pytest.mark.parametrize("category", ["S", "Z", "AE", "K", "G"])
def test_a_seller_without_a_vat_number_cannot_charge_or_account_for_vat(category):
    assert seller_identifier_problem(category, seller_vat_id=False)
    assert seller_identifier_problem(category, seller_vat_id=True) is None


@pytest.mark.parametrize("category", ["E", "O"])
def test_a_seller_without_a_vat_number_invoices_exempt_or_outside_the_scope(category):
    assert seller_identifier_problem(category, seller_vat_id=False) is None

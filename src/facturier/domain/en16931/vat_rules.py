"""What a VAT category asks of the buyer's identifiers (EN 16931 BR-AE-02..04, BR-IC-02..04).

Drafting checks these before anything is written, so a document that could never pass the official
rules is refused with the field to change instead of failing at issue.
"""

from __future__ import annotations

__all__ = ["buyer_identifier_problem"]

_NEEDS = {
    # BR-AE-02..04: reverse charge needs the buyer's VAT number (BT-48) or legal registration (BT-47)
    "AE": ("BR-AE-02", True),
    # BR-IC-02..04: an intra-Community supply needs the buyer's VAT number (BT-48)
    "K": ("BR-IC-02", False),
}


def buyer_identifier_problem(category: str, *, buyer_vat_id: bool, buyer_legal_id: bool) -> str | None:
    """Why ``category`` cannot be used for this buyer (the rule id and what is missing), or None."""
    if category not in _NEEDS:
        return None
    rule, legal_id_is_enough = _NEEDS[category]
    if buyer_vat_id or (legal_id_is_enough and buyer_legal_id):
        return None
    missing = "VAT number or registration number (SIREN)" if legal_id_is_enough else "VAT number"
    return f"VAT category {category} needs the customer's {missing} (EN 16931 {rule})"

"""What a VAT category asks of the parties' identifiers (EN 16931 BR-xx-02..04).

Drafting checks these before anything is written, so a document that could never pass the official
rules is refused with the field to change instead of failing at issue.
"""

from __future__ import annotations

__all__ = ["IdentifierProblem", "buyer_identifier_problem", "seller_identifier_problem"]


class IdentifierProblem(str):
    """The English explanation (for logs and developers), carrying what a service needs to word it in
    the user's language: the EN 16931 ``rule`` and whose number is ``missing`` (``seller``,
    ``buyer_vat`` or ``buyer_any``: the VAT number or a legal registration)."""

    rule: str
    missing: str

    def __new__(cls, text: str, *, rule: str, missing: str) -> IdentifierProblem:
        problem = super().__new__(cls, text)
        problem.rule, problem.missing = rule, missing
        return problem


_NEEDS = {
    # BR-AE-02..04: reverse charge needs the buyer's VAT number (BT-48) or legal registration (BT-47)
    "AE": ("BR-AE-02", True),
    # BR-IC-02..04: an intra-Community supply needs the buyer's VAT number (BT-48)
    "K": ("BR-IC-02", False),
}


def buyer_identifier_problem(
    category: str, *, buyer_vat_id: bool, buyer_legal_id: bool
) -> IdentifierProblem | None:
    """Why ``category`` cannot be used for this buyer (the rule id and what is missing), or None."""
    if category not in _NEEDS:
        return None
    rule, legal_id_is_enough = _NEEDS[category]
    if buyer_vat_id or (legal_id_is_enough and buyer_legal_id):
        return None
    missing = "VAT number or registration number (SIREN)" if legal_id_is_enough else "VAT number"
    return IdentifierProblem(
        f"VAT category {category} needs the customer's {missing} (EN 16931 {rule})",
        rule=rule,
        missing="buyer_any" if legal_id_is_enough else "buyer_vat",
    )


# Categories where VAT is charged or accounted for under the seller's VAT number: BR-S-02, BR-Z-02,
# BR-AE-02 (or BT-32), BR-IC-02 and BR-G-02 (BT-31 or BT-63 only). A seller without a VAT number
# (franchise en base, CGI art. 293 B) invoices exempt (E, BT-32 = its SIREN) or outside the scope (O).
_SELLER_VAT_CATEGORIES = {"S": "BR-S-02", "Z": "BR-Z-02", "AE": "BR-AE-02", "K": "BR-IC-02", "G": "BR-G-02"}


def seller_identifier_problem(category: str, *, seller_vat_id: bool) -> IdentifierProblem | None:
    """Why a seller without a VAT number cannot invoice ``category``, or None."""
    if seller_vat_id or category not in _SELLER_VAT_CATEGORIES:
        return None
    rule = _SELLER_VAT_CATEGORIES[category]
    return IdentifierProblem(
        f"VAT category {category} needs the company's VAT number (EN 16931 {rule}, CGI annexe II art. 242 nonies A)",
        rule=rule,
        missing="seller",
    )

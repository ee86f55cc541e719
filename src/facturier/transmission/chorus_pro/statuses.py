"""Chorus Pro's own invoice and flow states, translated into the reform's lifecycle codes.

The flow (``etatCourantDepotFlux``) says whether Chorus Pro accepted the deposited file; once
integrated, the invoice itself moves through ``statut`` values set by the public buyer.
"""

from __future__ import annotations

INVOICE_STATUS_TO_LIFECYCLE: dict[str, int] = {
    "DEPOSEE": 200,
    "EN_COURS_ACHEMINEMENT": 202,
    "MISE_A_DISPOSITION": 203,
    "A_VALIDER_1": 204,
    "A_VALIDER_2": 204,
    "EN_COURS_DE_TRAITEMENT": 204,
    "MISE_A_DISPOSITION_COMPTABLE": 204,
    "COMPLETEE": 209,
    "SERVICE_FAIT": 205,
    "MANDATEE": 205,
    "COMPTABILISEE": 205,
    "SUSPENDUE": 208,
    "A_RECYCLER": 210,
    "REJETEE": 210,
    "MISE_EN_PAIEMENT": 211,
}
"""``REJETEE`` is the public buyer refusing the invoice: 210 Refusée in the reform's words (213
Rejetée is a platform rejecting the *file*). ``A_RECYCLER`` sends it back to the supplier for a new
recipient/service: also a refusal the supplier must act on."""

DEFAULT_REASONS: dict[str, str] = {
    "A_RECYCLER": "DEST_ERR",
    "REJETEE": "AUTRE",
    "SUSPENDUE": "JUSTIF_ABS",
}
"""Chorus Pro does not give the reform's reason codes; a status that requires one gets this."""

FLOW_REJECTED = frozenset({"IN_REJETE", "IN_IRRECEVABLE", "REJETE", "IRRECEVABLE"})
FLOW_INTEGRATED = frozenset({"IN_INTEGRE", "INTEGRE", "IN_INTEGRE_PARTIEL", "INTEGRE_PARTIEL"})

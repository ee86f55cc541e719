"""The invoice lifecycle statuses of the French e-invoicing reform (XP Z12-012, CDAR "CDV").

Each status an approved platform (PA/PDP), Chorus Pro or the buyer reports about an invoice has
a numeric code. A few require a reason code (rule BR-FR-CDV-15), and only some reason codes are
allowed per status (BR-FR-CDV-CL-09). Refused (210) and rejected (213) invoices are dead ends for
the seller: they must be corrected with a credit note and a new invoice, so they *need action*.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

__all__ = [
    "NEEDS_ACTION",
    "NEEDS_REASON",
    "REASON_CODES",
    "REASONS_BY_STATUS",
    "STATUSES",
    "LifecycleCode",
    "StatusInfo",
    "is_known_code",
    "reason_allowed",
]


class LifecycleCode(IntEnum):
    DEPOSEE = 200
    EMISE = 201
    RECUE = 202
    MISE_A_DISPOSITION = 203
    PRISE_EN_CHARGE = 204
    APPROUVEE = 205
    APPROUVEE_PARTIELLEMENT = 206
    EN_LITIGE = 207
    SUSPENDUE = 208
    COMPLETEE = 209
    REFUSEE = 210
    PAIEMENT_TRANSMIS = 211
    ENCAISSEE = 212
    REJETEE = 213
    VISEE = 214


@dataclass(frozen=True)
class StatusInfo:
    code: int
    label_fr: str
    label_en: str


STATUSES: dict[int, StatusInfo] = {
    info.code: info
    for info in (
        StatusInfo(200, "Déposée", "Submitted"),
        StatusInfo(201, "Émise par la plateforme", "Issued by the platform"),
        StatusInfo(202, "Reçue par la plateforme", "Received by the platform"),
        StatusInfo(203, "Mise à disposition", "Made available"),
        StatusInfo(204, "Prise en charge", "In process"),
        StatusInfo(205, "Approuvée", "Approved"),
        StatusInfo(206, "Approuvée partiellement", "Partially approved"),
        StatusInfo(207, "En litige", "Disputed"),
        StatusInfo(208, "Suspendue", "Suspended"),
        StatusInfo(209, "Complétée", "Completed"),
        StatusInfo(210, "Refusée", "Refused"),
        StatusInfo(211, "Paiement transmis", "Payment sent"),
        StatusInfo(212, "Encaissée", "Paid"),
        StatusInfo(213, "Rejetée", "Rejected"),
        StatusInfo(214, "Visée", "Endorsed"),
    )
}

NEEDS_REASON = frozenset({206, 207, 208, 210, 213})
"""BR-FR-CDV-15: these statuses are only valid with a reason code."""

NEEDS_ACTION = frozenset({210, 213})
"""The invoice will not be paid as it stands: the seller must credit it and invoice again."""

REASON_CODES: dict[str, str] = {
    "NON_TRANSMISE": "Non transmise au destinataire",
    "AUTRE": "Autre motif",
    "COORD_BANC_ERR": "Coordonnées bancaires erronées",
    "TX_TVA_ERR": "Taux de TVA erroné",
    "MONTANTTOTAL_ERR": "Montant total erroné",
    "CALCUL_ERR": "Erreur de calcul",
    "NON_CONFORME": "Mention légale manquante ou non conforme",
    "DOUBLON": "Facture en doublon",
    "DEST_INC": "Destinataire inconnu",
    "DEST_ERR": "Destinataire erroné",
    "TRANSAC_INC": "Transaction inconnue",
    "EMMET_INC": "Émetteur inconnu",
    "CONTRAT_TERM": "Contrat terminé",
    "DOUBLE_FACT": "Double facturation",
    "CMD_ERR": "Référence de commande erronée ou absente",
    "ADR_ERR": "Adresse erronée",
    "SIRET_ERR": "SIRET erroné ou absent",
    "CODE_ROUTAGE_ERR": "Code de routage erroné ou absent",
    "REF_CT_ABSENT": "Référence de contrat absente",
    "REF_ERR": "Référence erronée",
    "PU_ERR": "Prix unitaire erroné",
    "REM_ERR": "Remise erronée",
    "QTE_ERR": "Quantité erronée",
    "ART_ERR": "Article erroné",
    "MODPAI_ERR": "Modalités de paiement erronées",
    "QUALITE_ERR": "Qualité non conforme",
    "LIVR_INCOMP": "Livraison incomplète",
    "JUSTIF_ABS": "Justificatif absent",
    "ROUTAGE_ERR": "Erreur de routage",
    "RETRAIT_MAN_SERV": "Retrait manuel du service",
    "ST_CT_NON_DECLAR": "Sous-traitant non déclaré",
    "SUPPR_COMP_AVOIR": "Suppression, compensée par un avoir",
    "TRANSF_PMNT_REGIE": "Paiement transféré à une régie",
    "CONTACT_ACHTR": "Contacter l'acheteur",
    "REJ_SEMAN": "Rejet sémantique",
    "REJ_UNI": "Rejet : facture non unique",
    "REJ_COH": "Rejet : incohérence",
    "REJ_ADR": "Rejet : adressage",
    "REJ_CONT_B2G": "Rejet : contrôle B2G",
    "REJ_REF_PJ": "Rejet : référence de pièce jointe",
    "REJ_ASS_PJ": "Rejet : pièce jointe associée",
    "IRR_VIDE_F": "Fichier vide",
    "IRR_TYPE_F": "Type de fichier non conforme",
    "IRR_SYNTAX": "Syntaxe non conforme",
    "IRR_TAILLE_PJ": "Pièce jointe trop volumineuse",
    "IRR_NOM_PJ": "Nom de pièce jointe non conforme",
    "IRR_VID_PJ": "Pièce jointe vide",
    "IRR_EXT_DOC": "Extension de document non conforme",
    "IRR_TAILLE_F": "Fichier trop volumineux",
    "IRR_ANTIVIRUS": "Virus détecté",
    "IRR_NOM_F": "Nom de fichier non conforme",
}

REASONS_BY_STATUS: dict[int, frozenset[str]] = {
    200: frozenset({"NON_TRANSMISE"}),
    206: frozenset(
        "AUTRE CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR "
        "ART_ERR MODPAI_ERR QUALITE_ERR LIVR_INCOMP".split()
    ),
    207: frozenset(
        "AUTRE COORD_BANC_ERR TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_INC "
        "DEST_ERR TRANSAC_INC EMMET_INC CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR SIRET_ERR "
        "CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR PU_ERR REM_ERR QTE_ERR ART_ERR MODPAI_ERR QUALITE_ERR "
        "LIVR_INCOMP".split()
    ),
    208: frozenset(
        "JUSTIF_ABS COORD_BANC_ERR CMD_ERR SIRET_ERR CODE_ROUTAGE_ERR REF_CT_ABSENT REF_ERR".split()
    ),
    210: frozenset(
        "TX_TVA_ERR MONTANTTOTAL_ERR CALCUL_ERR NON_CONFORME DOUBLON DEST_ERR TRANSAC_INC EMMET_INC "
        "CONTRAT_TERM DOUBLE_FACT CMD_ERR ADR_ERR REF_CT_ABSENT "
        # refusals by a public buyer through Chorus Pro (B2G) may also give these
        "RETRAIT_MAN_SERV ST_CT_NON_DECLAR SUPPR_COMP_AVOIR TRANSF_PMNT_REGIE AUTRE COORD_BANC_ERR "
        "LIVR_INCOMP CONTACT_ACHTR".split()
    ),
    213: frozenset(
        "MONTANTTOTAL_ERR CALCUL_ERR DOUBLON DEST_INC ADR_ERR REJ_SEMAN REJ_UNI REJ_COH REJ_ADR "
        "REJ_CONT_B2G REJ_REF_PJ REJ_ASS_PJ".split()
    ),
}


def is_known_code(code: int) -> bool:
    return code in STATUSES


def reason_allowed(code: int, reason_code: str) -> bool:
    """Whether ``reason_code`` may explain status ``code`` (statuses without a list accept any)."""
    if not reason_code:
        return code not in NEEDS_REASON
    allowed = REASONS_BY_STATUS.get(code)
    return reason_code in REASON_CODES and (allowed is None or reason_code in allowed)

"""A fake of PISTE + Chorus Pro following the published request/response shapes.

OAuth2 client credentials at ``/api/oauth/token``; every ``/cpro/...`` call needs the bearer token
and the ``cpro-account`` header (base64 ``login:password``); answers carry ``codeRetour``/``libelle``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from tests.transmission.fakes.server import FakeServer, Request, Response

SYNTAXES = {
    "IN_DP_E1_UBL_INVOICE", "IN_DP_E1_CII_16B", "IN_DP_E1_PES_FACTURE", "IN_DP_E1_XCBL", "IN_DP_E2_UBL_INVOICE_MIN",
    "IN_DP_E2_CII_MIN_16B", "IN_DP_E2_CII_FACTURX", "IN_DP_E2_PES_FACTURE_MIN", "IN_DP_E2_CPP_FACTURE_MIN",
}  # fmt: skip
CLIENT_ID, CLIENT_SECRET = "piste-client", "piste-secret"
LOGIN, PASSWORD = "TECH_1_compta@atelier.example", "cpro-p4ss"
TOKEN = "piste-access-token"
PENDING = "IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP"
PARIS = ZoneInfo("Europe/Paris")  # Chorus Pro's dates are French calendar dates


@dataclass
class Deposit:
    number: str
    filename: str
    syntax: str
    content: bytes
    deposited_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(PARIS).replace(microsecond=0))
    state: str = PENDING
    invoice_status: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)


class FakeChorusPro(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.deposits: dict[str, Deposit] = {}
        self.tokens_issued = 0

    def handle(self, request: Request) -> Response:
        if request.path == "/api/oauth/token":
            return self._token(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return Response.of_json({"error": "invalid_token"}, 401)
        try:
            account = base64.b64decode(request.headers.get("cpro-account", ""), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            account = ""
        if account != f"{LOGIN}:{PASSWORD}":
            return Response.of_json({"codeRetour": 401, "libelle": "Compte technique invalide"}, 401)
        body = request.json() or {}
        routes = {
            "/cpro/factures/v1/deposer/flux": self._deposit,
            "/cpro/transverses/v1/consulterCRDetaille": self._report,
            "/cpro/factures/v1/rechercher/fournisseur": self._search,
        }
        route = routes.get(request.path)
        return (
            route(body)
            if route
            else Response.of_json({"codeRetour": 404, "libelle": "Ressource inconnue"}, 404)
        )

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != "client_credentials" or (form.get("client_id"), form.get("client_secret")) != (
            CLIENT_ID, CLIENT_SECRET,
        ):  # fmt: skip
            return Response.of_json({"error": "invalid_client"}, 400)
        self.tokens_issued += 1
        return Response.of_json(
            {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600, "scope": "openid"}
        )

    def _deposit(self, body: dict[str, Any]) -> Response:
        missing = [k for k in ("fichierFlux", "nomFichier", "syntaxeFlux") if not body.get(k)]
        if (
            missing
            or body.get("syntaxeFlux") not in SYNTAXES
            or not isinstance(body.get("avecSignature"), bool)
        ):
            return Response.of_json({"codeRetour": 20001, "libelle": f"Paramètres invalides {missing}"}, 400)
        content = base64.b64decode(body["fichierFlux"])
        number = f"CPP{len(self.deposits) + 1:019d}"
        deposit = self.deposits[number] = Deposit(number, body["nomFichier"], body["syntaxeFlux"], content)
        return Response.of_json({"codeRetour": 0, "libelle": "TRAITE_SUCCES", "numeroFluxDepot": number,
                                 "dateDepot": deposit.deposited_at.date().isoformat(), "syntaxeFlux": body["syntaxeFlux"]})  # fmt: skip

    def _report(self, body: dict[str, Any]) -> Response:
        deposit = self.deposits.get(str(body.get("numeroFluxDepot")))
        if deposit is None:
            return Response.of_json({"codeRetour": 20002, "libelle": "Flux inconnu"})
        return Response.of_json({
            "codeRetour": 0, "libelle": "TRAITE_SUCCES", "etatCourantDepotFlux": deposit.state,
            "dateHeureEtatCourantFlux": deposit.deposited_at.isoformat(), "nomFichier": deposit.filename,
            "listeErreurTechnique": deposit.errors, "listeErreurDP": [],
        })  # fmt: skip

    def _search(self, body: dict[str, Any]) -> Response:
        deposit = self.deposits.get(str(body.get("numeroFluxDepot")))
        invoices = []
        if deposit is not None and deposit.invoice_status:
            invoices.append({"identifiantFactureCPP": 8316845, "numeroFacture": deposit.filename.rsplit(".", 1)[0],
                             "statut": deposit.invoice_status, "montantTTC": 1000.0})  # fmt: skip
        return Response.of_json({"codeRetour": 0, "libelle": "TRAITE_SUCCES", "listeFactures": invoices,
                                 "parametresRetour": {"total": len(invoices), "pageCourante": 1, "pages": 1}})  # fmt: skip

"""Deposit invoices on Chorus Pro and follow them (PISTE APIs "Factures" and "Transverses").

Authentication is two-layered: a PISTE OAuth2 client-credentials token (``Authorization: Bearer``)
and the Chorus Pro technical account in the ``cpro-account`` header (base64 of ``login:password``).
Every answer carries ``codeRetour`` (0 = success) and ``libelle``, even with HTTP 200.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from facturier.transmission.base import ChannelError, Delivery, Received, SendReceipt, StatusReport
from facturier.transmission.chorus_pro.statuses import (
    DEFAULT_REASONS,
    FLOW_INTEGRATED,
    FLOW_REJECTED,
    INVOICE_STATUS_TO_LIFECYCLE,
)
from facturier.transmission.httpclient import HttpPolicy, request
from facturier.transmission.oauth import ClientCredentials

DEPOSIT = "/cpro/factures/v1/deposer/flux"
FLOW_REPORT = "/cpro/transverses/v1/consulterCRDetaille"
SEARCH_SUPPLIER_INVOICES = "/cpro/factures/v1/rechercher/fournisseur"

SYNTAXE_FLUX = {
    "facturx": "IN_DP_E2_CII_FACTURX",  # Factur-X PDF/A-3 with its CII XML (E2 = "mixte")
    "ubl": "IN_DP_E1_UBL_INVOICE",
    "cii": "IN_DP_E1_CII_16B",
}


@dataclass
class ChorusProConfig:
    api_url: str
    token_url: str
    client_id: str
    client_secret: str
    login: str
    password: str
    user_id: int | None = None
    policy: HttpPolicy = field(default_factory=HttpPolicy)


def _parse_date(value: Any) -> dt.datetime | None:
    """A moment Chorus Pro gives, or None. A bare date (``dateDepot``) is no moment: read as midnight UTC
    it would sort a deposit made in the evening after the statuses that follow it, so the status is dated
    when we learn it instead."""
    if not isinstance(value, str) or not value:
        return None
    for fmt in (
        "%Y-%m-%dT%H:%M:%S.%f%z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
    ):
        try:
            parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 - made aware just below
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


class ChorusProChannel:
    name = "chorus_pro"

    @staticmethod
    def missing_settings(values: Mapping[str, Any]) -> list[str]:
        """The PISTE application (OAuth2 client) and the Chorus Pro technical account."""
        required = ("api_url", "token_url", "client_id", "client_secret", "login", "password")
        return [key for key in required if not values.get(key)]

    def __init__(self, config: ChorusProConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.oauth = ClientCredentials(config.token_url, config.client_id, config.client_secret, "openid",
                                       config.policy)  # fmt: skip

    def _headers(self) -> dict[str, str]:
        account = base64.b64encode(f"{self.config.login}:{self.config.password}".encode()).decode()
        return {
            "Authorization": f"Bearer {self.oauth.token(self.session)}",
            "cpro-account": account,
            "Content-Type": "application/json;charset=utf-8",
            "Accept": "application/json",
        }

    def _post(self, path: str, body: dict[str, Any], operation: str) -> dict[str, Any]:
        url = self.config.api_url.rstrip("/") + path
        try:
            response = request(self.session, "POST", url, operation=operation, policy=self.config.policy,
                               headers=self._headers(), json=body)  # fmt: skip
        except ChannelError as exc:
            if exc.status != 401:
                raise
            self.oauth.forget()  # the token expired early: get a new one, once
            response = request(self.session, "POST", url, operation=operation, policy=self.config.policy,
                               headers=self._headers(), json=body)  # fmt: skip
        try:
            data = response.json()
        except ValueError as exc:
            raise ChannelError(f"{operation}: Chorus Pro answered something that is not JSON") from exc
        if not isinstance(data, dict):
            raise ChannelError(f"{operation}: unexpected answer from Chorus Pro")
        if data.get("codeRetour") not in (None, 0, "0"):
            raise ChannelError(
                f"{operation}: Chorus Pro error {data.get('codeRetour')} {data.get('libelle', '')}".strip(),
                code="remote_refused",
            )
        return data

    def send(self, delivery: Delivery) -> SendReceipt:
        payload = delivery.payload
        body: dict[str, Any] = {
            "fichierFlux": base64.b64encode(payload.content).decode(),
            "nomFichier": payload.filename,
            "syntaxeFlux": SYNTAXE_FLUX[payload.syntax],
            "avecSignature": False,
        }
        if self.config.user_id is not None:
            body["idUtilisateurCourant"] = self.config.user_id
        data = self._post(DEPOSIT, body, "Chorus Pro deposit")
        number = str(data.get("numeroFluxDepot") or "")
        if not number:
            raise ChannelError("Chorus Pro deposit: no numeroFluxDepot in the answer")
        deposited = StatusReport(200, _parse_date(data.get("dateDepot")), external_status="DEPOSEE")
        return SendReceipt(external_id=number, statuses=(deposited,))

    def poll_status(self, external_id: str) -> list[StatusReport]:
        report = self._post(FLOW_REPORT, {"numeroFluxDepot": external_id}, "Chorus Pro flow report")
        statuses = flow_report_statuses(report)
        if statuses is not None:
            return statuses
        found = self._post(SEARCH_SUPPLIER_INVOICES, {"numeroFluxDepot": external_id},
                           "Chorus Pro invoice search")  # fmt: skip
        return invoice_statuses(found)

    def receive(self, since: dt.datetime | None = None) -> list[Received]:
        return []  # Chorus Pro statuses are polled per flow


def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a JSON list; anything else (a malformed answer) counts as empty."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def flow_report_statuses(report: dict[str, Any]) -> list[StatusReport] | None:
    """From ``consulterCRDetaille``: [213] if the flow was rejected, [] while processing, None once integrated."""
    state = str(report.get("etatCourantDepotFlux") or "")
    when = _parse_date(report.get("dateHeureEtatCourantFlux"))
    if state in FLOW_REJECTED:
        errors = [*_dicts(report.get("listeErreurTechnique")), *_dicts(report.get("listeErreurDP"))]
        text = "; ".join(
            str(e.get("libelleErreur") or e.get("libelleErreurDP") or e.get("codeErreur") or "")
            for e in errors
        )
        return [StatusReport(213, when, "REJ_SEMAN", text or state, external_status=state)]
    return None if state in FLOW_INTEGRATED else []


def invoice_statuses(found: dict[str, Any]) -> list[StatusReport]:
    """From ``rechercher/fournisseur``: the reform status of each invoice of the flow whose ``statut`` we know.

    An invoice status without its own date is dated when we learn it, never with the flow's date: that
    one is when the flow was integrated, weeks before the invoice is suspended or paid, and it would
    sort those statuses before the deposit."""
    reports = []
    for invoice in _dicts(found.get("listeFactures")):
        status = str(invoice.get("statut") or invoice.get("statutFacture") or "")
        code = INVOICE_STATUS_TO_LIFECYCLE.get(status)
        if code is not None:
            reports.append(
                StatusReport(code, _parse_date(invoice.get("dateHeureEtatCourant")),
                             DEFAULT_REASONS.get(status, ""), str(invoice.get("motif") or ""), status)
            )  # fmt: skip
    return reports

"""Submit invoices to an approved platform and read what it says (XP Z12-013 Annex A, Flow Service 1.3).

- ``POST /v1/flows`` (multipart: ``flowInfo`` JSON + ``file``) answers 202 with the ``flowId``;
- ``GET /v1/flows/{flowId}`` gives the flow's metadata, whose ``acknowledgement`` says whether the
  platform accepted the file (``Ok``) or refused it (``Error`` with reason details);
- ``POST /v1/flows/search`` finds the lifecycle flows (``CustomerInvoiceLC``, direction ``In``) the
  platform received about our invoices; each is downloaded (``docType=Original``) and read as CDAR.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests

from facturier.domain.lifecycle import MAX_CDAR_BYTES, LifecycleMessageError, parse_cdar
from facturier.transmission.base import ChannelError, Delivery, Received, SendReceipt, StatusReport
from facturier.transmission.httpclient import HttpPolicy, request
from facturier.transmission.oauth import ClientCredentials

FLOW_SYNTAX = {"facturx": "Factur-X", "cii": "CII", "ubl": "UBL"}
WEBHOOK_FLOW_TYPES = ("CustomerInvoice", "CustomerInvoiceLC")
MAX_SEARCH_PAGES = 50

ACK_REASON_TO_CDAR = {
    "EmptyFlow": "IRR_VIDE_F",
    "InvalidSchema": "IRR_SYNTAX",
    "FileSizeExceeded": "IRR_TAILLE_F",
    "FlowTypeError": "IRR_TYPE_F",
    "VirusFound": "IRR_ANTIVIRUS",
    "AttachmentTypeError": "IRR_EXT_DOC",
    "EmptyAttachement": "IRR_VID_PJ",
    "AlreadyExistingFlow": "DOUBLON",
}
"""The Flow Service's acknowledgement reasons, named after the CDAR reason codes they stand for."""


@dataclass
class PdpConfig:
    api_url: str
    token_url: str = ""
    client_id: str = ""
    client_secret: str = ""
    token: str = ""  # a static bearer token, for platforms that issue one instead of OAuth2
    organization_id: str = ""
    flow_profile: str = "Basic"  # EN 16931 + French rules; "Extended-CTC-FR" for the EXTENDED profile
    policy: HttpPolicy = field(default_factory=HttpPolicy)


def _parse_datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class PdpChannel:
    name = "pdp"

    @staticmethod
    def missing_settings(values: Mapping[str, Any]) -> list[str]:
        """The platform's API, and either a static token or OAuth2 client credentials."""
        required = ["api_url"]
        if not values.get("token"):
            required += ["token_url", "client_id", "client_secret"]
        return [key for key in required if not values.get(key)]

    def __init__(self, config: PdpConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self.session = session or requests.Session()
        self.oauth = (
            ClientCredentials(config.token_url, config.client_id, config.client_secret, policy=config.policy)
            if config.token_url
            else None
        )

    def _headers(self) -> dict[str, str]:
        token = self.oauth.token(self.session) if self.oauth else self.config.token
        headers = {"Authorization": f"Bearer {token}", "Request-Id": str(uuid.uuid4())}
        if self.config.organization_id:
            headers["Organization-Id"] = self.config.organization_id
        return headers

    def _call(self, method: str, path: str, operation: str, **kwargs: Any) -> requests.Response:
        url = self.config.api_url.rstrip("/") + path
        try:
            return request(self.session, method, url, operation=operation, policy=self.config.policy,
                           headers=self._headers(), **kwargs)  # fmt: skip
        except ChannelError as exc:
            if exc.status != 401 or self.oauth is None:
                raise
            self.oauth.forget()
            return request(self.session, method, url, operation=operation, policy=self.config.policy,
                           headers=self._headers(), **kwargs)  # fmt: skip

    def _json(self, response: requests.Response, operation: str) -> dict[str, Any]:
        try:
            data = response.json()
        except ValueError as exc:
            raise ChannelError(f"{operation}: the platform answered something that is not JSON") from exc
        if not isinstance(data, dict):
            raise ChannelError(f"{operation}: unexpected answer from the platform")
        return data

    def send(self, delivery: Delivery) -> SendReceipt:
        payload = delivery.payload
        info = {
            "trackingId": delivery.number,
            "name": payload.filename,
            "processingRule": "B2B",
            "flowSyntax": FLOW_SYNTAX[payload.syntax],
            "flowProfile": self.config.flow_profile,
            "sha256": hashlib.sha256(payload.content).hexdigest(),
        }
        files = {
            "flowInfo": (None, json.dumps(info), "application/json"),
            "file": (payload.filename, payload.content, payload.mime_type),
        }
        data = self._json(self._call("POST", "/v1/flows", "Platform flow submission", files=files),
                          "Platform flow submission")  # fmt: skip
        flow_id = str(data.get("flowId") or "")
        if not flow_id:
            raise ChannelError("Platform flow submission: no flowId in the answer")
        return SendReceipt(external_id=flow_id)

    def flow(self, flow_id: str) -> dict[str, Any]:
        response = self._call(
            "GET",
            f"/v1/flows/{quote(flow_id, safe='')}",
            "Platform flow status",
            params={"docType": "Metadata"},
        )
        return self._json(response, "Platform flow status")

    def poll_status(self, external_id: str) -> list[StatusReport]:
        return acknowledgement_statuses(self.flow(external_id))

    def subscribe_webhook(self, callback_url: str) -> dict[str, Any]:
        """``POST /v1/webhooks``: be told of our flows' acknowledgements and of their lifecycle flows.

        The answer's ``signingKey`` must be kept (``PDP_WEBHOOK_KEY``): it signs every callback.
        """
        body = {"callbackUrl": callback_url, "flowTypes": list(WEBHOOK_FLOW_TYPES)}
        operation = "Platform webhook subscription"
        data = self._json(self._call("POST", "/v1/webhooks", operation, json=body), operation)
        if not data.get("webhookId") or not data.get("signingKey"):
            raise ChannelError(f"{operation}: no webhookId or signingKey in the answer")
        return data

    def download(self, flow_id: str, *, max_bytes: int = MAX_CDAR_BYTES) -> bytes:
        """The flow's original file, read at most ``max_bytes`` + 1 so an oversize file is refused, not loaded."""
        response = self._call("GET", f"/v1/flows/{quote(flow_id, safe='')}", "Platform flow download",
                              params={"docType": "Original"}, stream=True)  # fmt: skip
        try:
            data: bytes = response.raw.read(max_bytes + 1, decode_content=True)
        finally:
            response.close()
        return data

    def receive(self, since: dt.datetime | None = None) -> list[Received]:
        where: dict[str, Any] = {"flowType": ["CustomerInvoiceLC"], "flowDirection": ["In"]}
        if since is not None:
            where["updatedAfter"] = since.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
        body: dict[str, Any] = {"limit": 100, "where": where}
        received: list[Received] = []
        for _page in range(MAX_SEARCH_PAGES):
            page = self._json(self._call("POST", "/v1/flows/search", "Platform flow search", json=body),
                              "Platform flow search")  # fmt: skip
            results = page.get("results")
            for flow in results if isinstance(results, list) else []:
                if isinstance(flow, dict) and flow.get("flowId"):
                    received.append(self.read_lifecycle(str(flow["flowId"])))
            cursor = page.get("nextCursor")
            if not cursor:
                break
            body = {**body, "cursor": cursor}
        return received

    def read_lifecycle(self, flow_id: str) -> Received:
        try:
            message = parse_cdar(self.download(flow_id))
        except LifecycleMessageError as exc:
            return Received(reference=flow_id, error=str(exc))
        return Received(reference=flow_id, events=message.events)


def acknowledgement_statuses(flow: dict[str, Any]) -> list[StatusReport]:
    """200 Déposée once the platform accepted our file, 213 Rejetée (with reasons) if it refused it."""
    ack = flow.get("acknowledgement") or {}
    status = ack.get("status") if isinstance(ack, dict) else None
    when = _parse_datetime(flow.get("updatedAt"))
    if status == "Ok":
        return [StatusReport(200, when, external_status="Ok")]
    if status == "Error":
        raw_details = ack.get("details")
        details = [d for d in raw_details if isinstance(d, dict)] if isinstance(raw_details, list) else []
        errors = [d for d in details if d.get("level") != "Warning"] or details
        first = errors[0] if errors else {}
        reason = ACK_REASON_TO_CDAR.get(str(first.get("reasonCode")), "REJ_SEMAN")
        text = "; ".join(f"{d.get('item', '')}: {d.get('reasonMessage', '')}".strip(": ") for d in errors)
        return [StatusReport(213, when, reason, text, external_status="Error")]
    return []

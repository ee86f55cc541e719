"""A fake approved platform implementing the AFNOR XP Z12-013 Flow Service (Annex A, v1.3.0).

``POST /v1/flows`` (multipart ``flowInfo`` + ``file``, 202), ``GET /v1/flows/{flowId}`` (``docType``
Metadata or Original), ``POST /v1/flows/search`` (``where`` filters, cursor pagination), bearer auth
from an OAuth2 client-credentials token endpoint, errors as ``{errorCode, errorMessage}``.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs

from tests.transmission.fakes.server import FakeServer, Request, Response

TOKEN = "platform-access-token"
CLIENT_ID, CLIENT_SECRET = "erp-client", "erp-secret"
SYNTAXES = {"CII", "UBL", "Factur-X", "CDAR", "FRR"}
PROFILES = {"Basic", "CIUS", "Extended-CTC-FR", "Undefined"}
RULES = {
    "B2B",
    "B2BInt",
    "B2C",
    "B2G",
    "B2GInt",
    "OutOfScope",
    "B2GOutOfScope",
    "ArchiveOnly",
    "NotApplicable",
}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _error(status: int, code: str, message: str) -> Response:
    return Response.of_json({"errorCode": code, "errorMessage": message}, status)


class FakePlatform(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.flows: dict[str, dict[str, Any]] = {}
        self.contents: dict[str, bytes] = {}
        self.webhooks: list[dict[str, Any]] = []

    # -- test helpers
    def acknowledge(self, flow_id: str, status: str, details: list[dict[str, str]] | None = None) -> None:
        ack: dict[str, Any] = {"status": status}
        if details:
            ack["details"] = details
        self.flows[flow_id].update(acknowledgement=ack, updatedAt=_now())

    def add_lifecycle(self, cdar: bytes) -> str:
        flow_id = f"LC-{len(self.flows) + 1:04d}"
        self.flows[flow_id] = {
            "flowId": flow_id, "submittedAt": _now(), "updatedAt": _now(), "name": f"{flow_id}.xml",
            "flowSyntax": "CDAR", "flowProfile": "Undefined", "processingRule": "B2B", "processingRuleSource": "Computed",
            "flowType": "CustomerInvoiceLC", "flowDirection": "In", "acknowledgement": {"status": "Ok"},
        }  # fmt: skip
        self.contents[flow_id] = cdar
        return flow_id

    # -- API
    def handle(self, request: Request) -> Response:
        if request.path == "/token":
            form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
            if (form.get("grant_type"), form.get("client_id"), form.get("client_secret")) != (
                "client_credentials", CLIENT_ID, CLIENT_SECRET,
            ):  # fmt: skip
                return Response.of_json({"error": "invalid_client"}, 400)
            return Response.of_json({"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300})
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return _error(401, "MISSING_TOKEN", "Bearer token required")
        if request.method == "POST" and request.path == "/v1/flows":
            return self._create(request)
        if request.method == "POST" and request.path == "/v1/flows/search":
            return self._search(request.json() or {})
        if request.method == "POST" and request.path == "/v1/webhooks":
            params = request.json() or {}
            if not str(params.get("callbackUrl", "")).startswith(("http://", "https://")):
                return _error(400, "MISSING_REQUIRED_FIELD", "callbackUrl is required")
            webhook = {"webhookId": "3f1c2a4e-0000-4000-8000-000000000001", "createdAt": _now(),
                       "signingKey": base64.b64encode(b"k" * 32).decode(), **params}  # fmt: skip
            self.webhooks.append(webhook)
            return Response.of_json({k: webhook[k] for k in ("webhookId", "signingKey", "createdAt")}, 201)
        if request.method == "GET" and request.path.startswith("/v1/flows/"):
            return self._get(
                request.path.removeprefix("/v1/flows/"), request.query.get("docType", ["Metadata"])[0]
            )
        return _error(404, "MISSING_RESOURCE", "Requested resource is Not Found")

    def _create(self, request: Request) -> Response:
        head = f"Content-Type: {request.headers.get('content-type', '')}\r\n\r\n".encode()
        message = BytesParser(policy=policy.HTTP).parsebytes(head + request.body)
        if not message.is_multipart():
            return _error(400, "MISSING_REQUIRED_FIELD", "multipart/form-data expected")
        parts = {part.get_param("name", header="content-disposition"): part for part in message.iter_parts()}
        if "flowInfo" not in parts or "file" not in parts:
            return _error(400, "MISSING_REQUIRED_FIELD", "flowInfo and file are required")
        info = json.loads(parts["flowInfo"].get_payload(decode=True))
        content = parts["file"].get_payload(decode=True) or b""
        if not info.get("name") or info.get("flowSyntax") not in SYNTAXES:
            return _error(400, "MISSING_REQUIRED_FIELD", "name and a valid flowSyntax are required")
        if (
            info.get("flowProfile", "Undefined") not in PROFILES
            or info.get("processingRule", "B2B") not in RULES
        ):
            return _error(400, "INVALID_FIELD", "unknown flowProfile or processingRule")
        if not content:
            return _error(422, "UNPROCESSABLE_ENTITY", "empty file")
        if info.get("sha256") and info["sha256"] != hashlib.sha256(content).hexdigest():
            return _error(422, "UNPROCESSABLE_ENTITY", "sha256 mismatch")
        flow_id = f"FLOW-{len(self.flows) + 1:04d}"
        full = {"flowId": flow_id, "submittedAt": _now(), **info}
        self.flows[flow_id] = {**full, "updatedAt": full["submittedAt"], "flowType": "CustomerInvoice",
                               "flowDirection": "Out", "processingRuleSource": "Input",
                               "acknowledgement": {"status": "Pending"}}  # fmt: skip
        self.contents[flow_id] = content
        return Response.of_json(full, 202)

    def _get(self, flow_id: str, doc_type: str) -> Response:
        if flow_id not in self.flows:
            return _error(404, "MISSING_RESOURCE", "Requested resource is Not Found")
        if doc_type == "Original":
            return Response(200, self.contents[flow_id], {"Content-Type": "application/octet-stream",
                            "Content-Disposition": f"attachment;filename={self.flows[flow_id]['name']}"})  # fmt: skip
        return Response.of_json(self.flows[flow_id])

    def _search(self, params: dict[str, Any]) -> Response:
        where = params.get("where")
        if not isinstance(where, dict) or not where:
            return _error(400, "MISSING_REQUIRED_FIELD", "at least one criterion is required")
        flows = sorted(self.flows.values(), key=lambda f: f["flowId"])
        for key in ("flowType", "flowDirection", "processingRule"):
            if key in where:
                flows = [f for f in flows if f.get(key) in where[key]]
        if "updatedAfter" in where:
            flows = [f for f in flows if f["updatedAt"] > where["updatedAfter"]]
        if "trackingId" in where:
            flows = [f for f in flows if f.get("trackingId") == where["trackingId"]]
        limit = min(int(params.get("limit", 25)), 100)
        start = int(base64.b64decode(params["cursor"]).decode()) if params.get("cursor") else 0
        page = flows[start : start + limit]
        result: dict[str, Any] = {"limit": limit, "filters": where, "results": page}
        if start + limit < len(flows):
            result["nextCursor"] = base64.b64encode(str(start + limit).encode()).decode()
        return Response.of_json(result)

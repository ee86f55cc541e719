"""`/api/v1/invoices/{id}/send`, `/api/v1/invoices/{id}/lifecycle` and the platform's status webhook."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.idempotency import idempotent
from facturier.api.v1.problems import problem
from facturier.common.lookup import get_visible
from facturier.invoicing.models import Document, Kind
from facturier.transmission.channels import accounts, channel_settings
from facturier.transmission.models import LifecycleStatus, Transmission
from facturier.transmission.pdp import signature
from facturier.transmission.polling import acknowledge_flow, lifecycle_from_cdar
from facturier.transmission.selectors import lifecycle_of, transmissions_of
from facturier.transmission.services import transmission_request

router = Router(tags=["transmission"])
LIFECYCLE_FLOW_TYPES = frozenset({"CustomerInvoiceLC", "SupplierInvoiceLC"})


class SendIn(Schema):
    channel: Literal["email", "chorus_pro", "pdp"] | None = None


class TransmissionOut(Schema):
    id: uuid.UUID
    channel: str
    status: str
    recipient: str
    external_id: str
    attempts: int
    last_error: str
    last_error_code: str = Field(
        description="why the last attempt failed: connection_refused, timeout, recipient_refused, ... (empty if none)"
    )
    sent_at: dt.datetime | None


class LifecycleStatusOut(Schema):
    code: int
    label: str
    reason_code: str
    reason_text: str
    occurred_at: dt.datetime
    source: str


class LifecycleOut(Schema):
    invoice_id: uuid.UUID
    number: str
    status: str
    statuses: list[LifecycleStatusOut]
    transmissions: list[TransmissionOut]


def _invoice(request: HttpRequest, invoice_id: str) -> Document:
    invoices = Document.objects.filter(entity=entity_of(request), kind=Kind.INVOICE)
    invoice: Document = get_visible(
        invoices, invoice_id, message=_("Unknown invoice."), code="document_not_found"
    )
    return invoice


@router.post("/invoices/{invoice_id}/send", response={202: TransmissionOut}, operation_id="invoices_send",
             summary="Send an issued invoice through its customer's channel (email, Chorus Pro, platform)",
             description="Refused with 422 `channel_not_configured` (and `field` naming the setting, e.g. "
                         "EMAIL_URL) when the channel is not set up, or `missing_email`/`missing_siret`/"
                         "`missing_electronic_address` when the customer has no address on it; nothing is "
                         "queued then. Later failures show in `last_error_code` of the lifecycle's transmissions.")  # fmt: skip
@idempotent
def send(request: HttpRequest, invoice_id: str, payload: SendIn | None = None) -> Status[Transmission]:
    key = require_scope(request, "invoices:write")
    invoice = _invoice(request, invoice_id)
    transmission = transmission_request(
        document=invoice, by=as_actor(key), channel=payload.channel if payload else None
    )
    transmission.refresh_from_db()
    return Status(202, transmission)


@router.get("/invoices/{invoice_id}/lifecycle", response=LifecycleOut, operation_id="invoices_lifecycle",
            summary="Lifecycle statuses (200 Déposée ... 213 Rejetée) and transmissions of an invoice")  # fmt: skip
def lifecycle(request: HttpRequest, invoice_id: str) -> dict[str, Any]:
    require_scope(request, "invoices:read")
    invoice = _invoice(request, invoice_id)
    statuses: list[LifecycleStatus] = list(lifecycle_of(invoice))
    return {
        "invoice_id": invoice.pk, "number": invoice.number, "status": invoice.status,
        "statuses": [{"code": s.code, "label": s.label, "reason_code": s.reason_code, "reason_text": s.reason_text,
                      "occurred_at": s.occurred_at, "source": s.source} for s in statuses],
        "transmissions": list(transmissions_of(invoice)),
    }  # fmt: skip


class CdarImportOut(Schema):
    recorded: int
    unmatched: list[str]


@router.post("/invoices/lifecycle/cdar", response=CdarImportOut, operation_id="invoices_lifecycle_cdar",
             summary="Record the statuses of a CDAR lifecycle message (XML body), checked by the official rules",
             openapi_extra={"requestBody": {"content": {"application/xml": {"schema": {"type": "string"}}}}})  # fmt: skip
def lifecycle_cdar(request: HttpRequest) -> dict[str, Any]:
    key = require_scope(request, "invoices:write")
    summary = lifecycle_from_cdar(data=request.body, by=as_actor(key), entity=entity_of(request))
    return {"recorded": summary.recorded, "unmatched": summary.unmatched}


def _webhook_signer(request: HttpRequest) -> str | None:
    """Whose webhook key signed the request: "" for the installation's, a SIREN for an entity's, None if none."""
    keys = {"": channel_settings("pdp").get("webhook_key") or ""}
    keys.update({siren: values.get("webhook_key") or "" for siren, values in accounts("pdp").items()})
    for siren, key in keys.items():
        if key and signature.verify(
            request.body,
            request.headers.get("Afnor-Signature", ""),
            request.headers.get("Afnor-Signature-Timestamp", ""),
            signature.signing_key(key),
        ):
            return siren
    return None


@router.post("/transmission/pdp/webhook", auth=None, include_in_schema=False)
def platform_webhook(request: HttpRequest) -> HttpResponse:
    """Flow events pushed by the platform (XP Z12-013 ``WebhookCallback``), signed with our webhook key."""
    signer = _webhook_signer(request)
    if signer is None:
        return problem(request, status=401, code="invalid_signature",
                       detail="Missing, wrong or expired Afnor-Signature.")  # fmt: skip
    try:
        flow = json.loads(request.body)
    except ValueError:
        flow = None
    if not isinstance(flow, dict) or not flow.get("flowId"):
        return problem(
            request, status=400, code="invalid_body", detail="Expected the Flow JSON of the event."
        )
    if flow.get("flowType") in LIFECYCLE_FLOW_TYPES and flow.get("flowDirection") == "In":
        from facturier.transmission.tasks import read_platform_flow

        flow_id = str(flow["flowId"])
        transaction.on_commit(lambda: read_platform_flow.enqueue(flow_id, signer))
    else:
        acknowledge_flow(flow=flow)
    return HttpResponse(status=200)

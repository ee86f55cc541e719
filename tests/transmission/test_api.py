"""`POST /api/v1/invoices/{id}/send`, `GET /api/v1/invoices/{id}/lifecycle` and the platform webhook."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from facturier.domain.lifecycle import build_cdar
from facturier.invoicing.models import Status
from facturier.transmission.models import LifecycleStatus, Transmission
from facturier.transmission.pdp import signature
from facturier.transmission.services import lifecycle_record, transmission_request
from tests.api.conftest import ApiClient, make_key
from tests.domain.lifecycle.builders import status_message
from tests.transmission.conftest import WEBHOOK_KEY
from tests.transmission.test_email import closed_port

WEBHOOK = "/api/v1/transmission/pdp/webhook"


@pytest.fixture
def api(entity):  # type: ignore[no-untyped-def]
    key, secret = make_key(entity, ["invoices:write"])
    return ApiClient(secret, key)


def test_send_queues_the_invoice_and_lifecycle_shows_where_it_is(api, channels, issued_invoice, owner,
                                                                 django_capture_on_commit_callbacks) -> None:  # fmt: skip
    # when the API asks for the invoice to be sent (the worker runs on commit)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/invoices/{issued_invoice.pk}/send", {"channel": "email"})
    # then it is accepted and the transmission is described
    assert response.status_code == 202, response.content
    assert response.json()["channel"] == "email"
    # and the lifecycle lists the transmission and the statuses
    lifecycle_record(document=issued_invoice, code=205, source="manual", by=owner)
    body = api.get(f"/api/v1/invoices/{issued_invoice.pk}/lifecycle").json()
    assert body["number"] == issued_invoice.number
    assert body["status"] == "sent"
    assert [(s["code"], s["label"], s["source"]) for s in body["statuses"]] == [(205, "Approuvée", "manual")]
    assert [(t["channel"], t["status"]) for t in body["transmissions"]] == [("email", "sent")]


def test_another_entitys_key_sees_no_such_invoice(issued_invoice, entity) -> None:
    from tests.conftest import make_entity

    stranger_key, secret = make_key(make_entity(name="Tierce SAS", siren="732829320"), ["invoices:write"])
    stranger = ApiClient(secret, stranger_key)
    assert stranger.get(f"/api/v1/invoices/{issued_invoice.pk}/lifecycle").status_code == 404
    assert stranger.post(f"/api/v1/invoices/{issued_invoice.pk}/send").status_code == 404
    assert not Transmission.objects.exists()


def test_a_read_only_key_cannot_send(entity, issued_invoice) -> None:
    key, secret = make_key(entity, ["invoices:read"])
    response = ApiClient(secret, key).post(f"/api/v1/invoices/{issued_invoice.pk}/send")
    assert response.status_code == 403
    assert response.json()["code"] == "insufficient_scope"


def test_a_draft_cannot_be_sent(api, draft_invoice) -> None:
    response = api.post(f"/api/v1/invoices/{draft_invoice.pk}/send")
    assert response.status_code == 409
    assert response.json()["code"] == "not_issued"


def test_send_without_email_url_is_a_422_naming_the_setting_and_queues_nothing(
    api, channels, settings, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given no mail server configured
    settings.EMAIL_URL = ""
    # when an English-speaking client asks for the invoice to be emailed
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(f"/api/v1/invoices/{issued_invoice.pk}/send", {"channel": "email"},
                            headers={"Accept-Language": "en"})  # fmt: skip
    # then it is refused at once with a stable code, the setting to configure and a readable detail
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["field"], body["channel"], body["missing"]) == (
        "channel_not_configured", "EMAIL_URL", "email", ["EMAIL_URL"],
    )  # fmt: skip
    assert body["detail"] == "Sending by email is not configured: set EMAIL_URL (see the README)."
    # and nothing was queued
    assert callbacks == []
    assert not Transmission.objects.exists()


def test_send_to_a_customer_without_email_is_a_422_naming_the_field(
    api, channels, customer, issued_invoice
) -> None:
    customer.email = ""
    customer.save()
    response = api.post(f"/api/v1/invoices/{issued_invoice.pk}/send", {"channel": "email"})
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("missing_email", "email")
    assert not Transmission.objects.exists()


def test_a_failure_after_acceptance_shows_its_code_in_the_lifecycle(
    api, channels, settings, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given a mail server nobody listens on
    settings.EMAIL_URL = f"smtp://127.0.0.1:{closed_port()}"
    # when the invoice is sent: accepted, then failed in the background
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/invoices/{issued_invoice.pk}/send", {"channel": "email"})
    assert response.status_code == 202
    # then the lifecycle tells why, as a code clients can branch on
    (transmission,) = api.get(f"/api/v1/invoices/{issued_invoice.pk}/lifecycle").json()["transmissions"]
    assert (transmission["status"], transmission["last_error_code"]) == ("failed", "connection_refused")
    assert "Connection refused" in transmission["last_error"]


def _signed_post(body: bytes, *, key: str = WEBHOOK_KEY, timestamp: int | None = None):  # type: ignore[no-untyped-def]
    moment = int(time.time()) if timestamp is None else timestamp
    sig = signature.sign(body, moment, signature.signing_key(key))
    return Client().post(WEBHOOK, body, content_type="application/json",
                         headers={"Afnor-Signature": sig, "Afnor-Signature-Timestamp": str(moment)})  # fmt: skip


@pytest.fixture
def platform_flow(channels, customer, issued_invoice, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    customer.electronic_address = "443061841"
    customer.save()
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    return Transmission.objects.get(document=issued_invoice).external_id


def test_a_signed_acknowledgement_webhook_records_the_rejection(
    platform_api, platform_flow, issued_invoice
) -> None:
    # given the platform pushes the metadata of our flow, refused
    flow = {**platform_api.flows[platform_flow], "acknowledgement": {"status": "Error", "details": [
        {"level": "Error", "item": "file", "reasonCode": "AlreadyExistingFlow", "reasonMessage": "déjà reçu"}]}}  # fmt: skip
    # when it reaches the webhook with a valid signature
    response = _signed_post(json.dumps(flow).encode())
    # then 213 Rejetée is recorded and the invoice needs action
    assert response.status_code == 200
    assert list(LifecycleStatus.objects.values_list("code", "reason_code")) == [(213, "DOUBLON")]
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.REFUSED


def test_a_lifecycle_flow_webhook_fetches_and_records_the_cdar(platform_api, platform_flow, issued_invoice, entity,
                                                               django_capture_on_commit_callbacks) -> None:  # fmt: skip
    flow_id = platform_api.add_lifecycle(build_cdar(status_message(205, number=issued_invoice.number,
                                                                   seller=entity.siren)))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_post(json.dumps(platform_api.flows[flow_id]).encode())
    assert response.status_code == 200
    assert list(LifecycleStatus.objects.values_list("code", "source", "external_ref")) == [
        (205, "cdar", flow_id)
    ]


@pytest.mark.parametrize("tamper", ["wrong key", "old timestamp", "altered body", "no signature"])
def test_unsigned_or_tampered_webhooks_are_refused(platform_api, platform_flow, tamper) -> None:
    body = json.dumps({**platform_api.flows[platform_flow], "acknowledgement": {"status": "Ok"}}).encode()
    if tamper == "wrong key":
        response = _signed_post(body, key="another-key")
    elif tamper == "old timestamp":
        response = _signed_post(body, timestamp=int(time.time()) - 3600)
    elif tamper == "altered body":
        moment = int(time.time())
        sig = signature.sign(body, moment, signature.signing_key(WEBHOOK_KEY))
        response = Client().post(WEBHOOK, body.replace(b'"Ok"', b'"Error"'), content_type="application/json",
                                 headers={"Afnor-Signature": sig, "Afnor-Signature-Timestamp": str(moment)})  # fmt: skip
    else:
        response = Client().post(WEBHOOK, body, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert not LifecycleStatus.objects.exists()


def test_a_cdar_message_posted_to_the_api_records_its_statuses(api, issued_invoice, entity, settings) -> None:
    from tests.domain.lifecycle.conftest import CONFORMANCE

    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    settings.CONFORMANCE_DIR = str(CONFORMANCE)
    cdar = build_cdar(
        status_message(210, number=issued_invoice.number, seller=entity.siren, reason_code="CMD_ERR")
    )
    response = api.client.post("/api/v1/invoices/lifecycle/cdar", cdar, content_type="application/xml",
                               headers=api._headers(None))  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json() == {"recorded": 1, "unmatched": []}
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.REFUSED
    # a message breaking the rules is a 422 listing the rule ids
    broken = build_cdar(status_message(210, number=issued_invoice.number, seller=entity.siren))
    response = api.client.post("/api/v1/invoices/lifecycle/cdar", broken, content_type="application/xml",
                               headers=api._headers(None))  # fmt: skip
    assert response.status_code == 422
    assert "BR-FR-CDV-15/MDT-113" in {f["rule"] for f in response.json()["findings"]}


def test_a_webhook_signed_with_a_companys_own_key_is_accepted(
    platform_api, platform_flow, channels, entity
) -> None:
    channels["pdp"]["webhook_key"] = ""
    channels["pdp"]["accounts"] = {entity.siren: {"webhook_key": "Y29tcGFueS1vd24ta2V5"}}
    body = json.dumps({**platform_api.flows[platform_flow], "acknowledgement": {"status": "Ok"}}).encode()
    assert _signed_post(body, key="Y29tcGFueS1vd24ta2V5").status_code == 200
    assert list(LifecycleStatus.objects.values_list("code", flat=True)) == [200]
    assert _signed_post(body, key=WEBHOOK_KEY).status_code == 401

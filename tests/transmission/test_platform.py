"""An approved platform through a fake AFNOR Flow Service: submit, acknowledgement, lifecycle flows."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.utils import translation

from facturier.domain.lifecycle import build_cdar
from facturier.invoicing.models import Status
from facturier.transmission.channels import ENVIRONMENT
from facturier.transmission.errors import ChannelNotConfigured
from facturier.transmission.models import LifecycleStatus, Transmission, TransmissionStatus
from facturier.transmission.polling import poll_all, poll_transmissions
from facturier.transmission.services import transmission_request
from tests.domain.lifecycle.builders import status_message


@pytest.fixture
def networked_customer(customer):  # type: ignore[no-untyped-def]
    customer.electronic_address_scheme, customer.electronic_address = "0225", "443061841"
    customer.save()
    return customer


@pytest.fixture
def submitted(platform_api, channels, networked_customer, issued_invoice, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    return Transmission.objects.get(document=issued_invoice)


def test_invoice_to_a_networked_customer_is_submitted_as_a_flow(
    platform_api, submitted, issued_invoice
) -> None:
    # then the platform received a multipart flow with its signalling
    (call,) = platform_api.calls("/v1/flows")
    assert call.headers["content-type"].startswith("multipart/form-data")
    flow = platform_api.flows[submitted.external_id]
    assert flow["trackingId"] == issued_invoice.number
    assert (flow["flowSyntax"], flow["flowProfile"], flow["processingRule"]) == ("Factur-X", "Basic", "B2B")
    content = platform_api.contents[submitted.external_id]
    assert content.startswith(b"%PDF-")
    assert flow["sha256"] == hashlib.sha256(content).hexdigest()
    # and the transmission is sent, addressed to the customer's electronic address
    assert (submitted.status, submitted.recipient) == (TransmissionStatus.SENT, "0225:443061841")


def test_an_unconfigured_platform_is_refused_at_once_naming_its_settings(
    settings, networked_customer, issued_invoice, monkeypatch
) -> None:
    # given the platform's API is known but neither a token nor OAuth2 credentials are
    settings.FACTURIER_TRANSMISSION = {"pdp": {"api_url": "https://pdp.example/flow"}}
    for var in ENVIRONMENT["pdp"].values():
        monkeypatch.delenv(var, raising=False)
    # when the invoice is sent, then it is refused in French, naming what to set, and nothing is queued
    with translation.override("fr"), pytest.raises(ChannelNotConfigured) as refused:
        transmission_request(document=issued_invoice, by=None)
    assert refused.value.message == (
        "Le canal Plateforme agréée (PA/PDP) n'est pas configuré : définissez PDP_TOKEN_URL, PDP_CLIENT_ID, "
        "PDP_CLIENT_SECRET (voir le README)."
    )
    assert refused.value.extra == {
        "channel": "pdp",
        "missing": ["PDP_TOKEN_URL", "PDP_CLIENT_ID", "PDP_CLIENT_SECRET"],
    }
    assert not Transmission.objects.exists()


def test_acknowledgement_ok_is_deposited_and_error_is_rejected(
    platform_api, submitted, issued_invoice
) -> None:
    # while pending, nothing is recorded
    assert poll_transmissions().recorded == 0
    # once the platform accepted the file: 200 Déposée
    platform_api.acknowledge(submitted.external_id, "Ok")
    assert poll_transmissions().recorded == 1
    assert list(LifecycleStatus.objects.values_list("code", flat=True)) == [200]


def test_a_file_refused_by_the_platform_is_rejected_and_needs_action(
    platform_api, submitted, issued_invoice
) -> None:
    # given the platform's checks refused the file
    platform_api.acknowledge(submitted.external_id, "Error", [
        {"level": "Error", "item": "BT-49", "reasonCode": "InvalidSchema", "reasonMessage": "Adresse absente"},
    ])  # fmt: skip
    # when polled
    poll_transmissions()
    # then 213 Rejetée with the platform's reason, and the invoice needs action
    rejected = LifecycleStatus.objects.get(document=issued_invoice)
    assert (rejected.code, rejected.reason_code, rejected.reason_text) == (
        213,
        "IRR_SYNTAX",
        "BT-49: Adresse absente",
    )
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.REFUSED


def test_lifecycle_flows_from_the_buyer_are_read_and_recorded(
    platform_api, submitted, issued_invoice, entity
) -> None:
    # given the buyer approved the invoice, then its platform said it was paid... and a flow about another seller
    platform_api.add_lifecycle(
        build_cdar(status_message(205, number=issued_invoice.number, seller=entity.siren))
    )
    platform_api.add_lifecycle(build_cdar(status_message(207, number=issued_invoice.number, seller=entity.siren,
                                                         reason_code="QTE_ERR", message_id="CDV-2")))  # fmt: skip
    platform_api.add_lifecycle(
        build_cdar(status_message(205, number=issued_invoice.number, seller="732829320"))
    )
    # when the channels are polled
    summary = poll_all()
    # then our invoice's statuses are recorded from CDAR, the other seller's flow is not ours
    statuses = LifecycleStatus.objects.filter(document=issued_invoice)
    assert [(s.code, s.source, s.reason_code) for s in statuses] == [
        (205, "cdar", ""),
        (207, "cdar", "QTE_ERR"),
    ]
    assert summary.unmatched == [issued_invoice.number]
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.DISPUTED
    # and reading the same flows again records nothing twice
    assert poll_all().recorded == 0


def test_flow_search_follows_the_cursor_to_the_last_page(
    platform_api, submitted, issued_invoice, entity
) -> None:
    for number in range(103):
        platform_api.add_lifecycle(
            build_cdar(status_message(205, number=f"OTHER-{number}", seller=entity.siren))
        )
    summary = poll_all()
    assert len(platform_api.calls("/v1/flows/search")) == 2
    assert len(summary.unmatched) == 103


def test_a_broken_lifecycle_flow_is_reported_not_fatal(
    platform_api, submitted, issued_invoice, entity
) -> None:
    platform_api.add_lifecycle(b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>")
    platform_api.add_lifecycle(
        build_cdar(status_message(205, number=issued_invoice.number, seller=entity.siren))
    )
    summary = poll_all()
    assert summary.recorded == 1
    assert any("DOCTYPE" in error for error in summary.errors)


def test_flow_info_is_json_in_the_multipart_request(platform_api, submitted) -> None:
    (call,) = platform_api.calls("/v1/flows")
    assert b'name="flowInfo"' in call.body
    info_start = call.body.index(b"{", call.body.index(b'name="flowInfo"'))
    info = json.loads(call.body[info_start : call.body.index(b"}", info_start) + 1])
    assert info["name"].endswith(".pdf")


def test_an_oversize_lifecycle_flow_is_refused_without_being_loaded(platform_api, submitted) -> None:
    from facturier.domain.lifecycle import MAX_CDAR_BYTES

    platform_api.add_lifecycle(b"<x>" + b"a" * (MAX_CDAR_BYTES * 2) + b"</x>")
    summary = poll_all()
    assert summary.recorded == 0
    assert any("limit" in error for error in summary.errors)

"""Chorus Pro through a fake PISTE gateway: OAuth2, cpro-account, deposit, flow report, invoice status."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.utils import translation

from facturier.invoicing.models import Status
from facturier.transmission.channels import ENVIRONMENT
from facturier.transmission.errors import ChannelNotConfigured
from facturier.transmission.models import LifecycleStatus, Transmission, TransmissionStatus
from facturier.transmission.polling import poll_transmissions
from facturier.transmission.services import lifecycle_record, transmission_request
from tests.transmission.fakes import chorus_pro


@pytest.fixture
def deposited(chorus, channels, public_customer, issued_invoice, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    return Transmission.objects.get(document=issued_invoice)


def _codes(invoice) -> list[int]:  # type: ignore[no-untyped-def]
    return list(LifecycleStatus.objects.filter(document=invoice).values_list("code", flat=True))


def test_public_sector_invoice_is_deposited_on_chorus_pro_as_factur_x(
    chorus, deposited, issued_invoice
) -> None:
    # then one flow was deposited with the PISTE token and the technical account
    (call,) = chorus.calls("/cpro/factures/v1/deposer/flux")
    assert call.headers["authorization"] == f"Bearer {chorus_pro.TOKEN}"
    assert (
        base64.b64decode(call.headers["cpro-account"]).decode() == f"{chorus_pro.LOGIN}:{chorus_pro.PASSWORD}"
    )
    body = call.json()
    assert body["syntaxeFlux"] == "IN_DP_E2_CII_FACTURX"
    assert body["nomFichier"] == f"{issued_invoice.number}.pdf"
    assert base64.b64decode(body["fichierFlux"]).startswith(b"%PDF-")
    assert body["avecSignature"] is False
    # and the transmission knows the flow number, routed by SIRET and service code
    assert deposited.status == TransmissionStatus.SENT
    assert deposited.external_id == next(iter(chorus.deposits))
    assert deposited.recipient == "21750001600019/SERV-COMPTA"
    # and 200 Déposée is recorded
    assert _codes(issued_invoice) == [200]


def test_polling_follows_the_invoice_through_chorus_pro(chorus, deposited, issued_invoice) -> None:
    deposit = chorus.deposits[deposited.external_id]
    # while Chorus Pro is still processing the flow, nothing new happens
    assert poll_transmissions().recorded == 0
    # once integrated and made available to the public buyer
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "MISE_A_DISPOSITION"
    assert poll_transmissions().recorded == 1
    # polling again tells nothing new
    assert poll_transmissions().recorded == 0
    # then suspended, then paid
    deposit.invoice_status = "SUSPENDUE"
    poll_transmissions()
    deposit.invoice_status = "MISE_EN_PAIEMENT"
    poll_transmissions()
    assert _codes(issued_invoice) == [200, 203, 208, 211]
    suspended = LifecycleStatus.objects.get(document=issued_invoice, code=208)
    assert (suspended.reason_code, suspended.source, suspended.external_ref) == (
        "JUSTIF_ABS",
        "channel",
        "SUSPENDUE",
    )
    # one token served every call
    assert chorus.tokens_issued == 1
    # and the audit chains and document seals are intact after all these status changes
    from facturier.audit.verify import verify_all

    assert verify_all() == []


@pytest.mark.time_machine(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
def test_an_invoice_deposited_when_it_is_already_tomorrow_in_paris_keeps_its_statuses_in_order(
    chorus, deposited, issued_invoice
) -> None:
    # given an invoice deposited at 00:30 on 1 January in Paris (Chorus Pro's dateDepot says 2027-01-01),
    # still 31 December in UTC
    deposit = chorus.deposits[deposited.external_id]
    # when it is made available minutes later, then suspended and paid weeks later
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "MISE_A_DISPOSITION"
    poll_transmissions()
    with time_machine.travel(dt.datetime(2027, 1, 20, 8, 0, tzinfo=dt.UTC)):
        deposit.invoice_status = "SUSPENDUE"
        poll_transmissions()
    with time_machine.travel(dt.datetime(2027, 2, 3, 8, 0, tzinfo=dt.UTC)):
        deposit.invoice_status = "MISE_EN_PAIEMENT"
        poll_transmissions()
    # then the statuses read in the order they happened, each dated when Chorus Pro told us
    statuses = LifecycleStatus.objects.filter(document=issued_invoice)
    assert [status.code for status in statuses] == [200, 203, 208, 211]
    days = [status.occurred_at.date() for status in statuses]
    assert days == [dt.date(2026, 12, 31), dt.date(2026, 12, 31), dt.date(2027, 1, 20), dt.date(2027, 2, 3)]


def test_a_status_entered_by_hand_between_two_polls_does_not_repeat_the_chorus_pro_status(
    chorus, deposited, issued_invoice, owner
) -> None:
    # given Chorus Pro reported the invoice made available
    deposit = chorus.deposits[deposited.external_id]
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "MISE_A_DISPOSITION"
    poll_transmissions()
    # and then the accountant records by hand that the buyer approved it
    lifecycle_record(document=issued_invoice, code=205, source="manual", by=owner)
    # when Chorus Pro, polled again, still says "made available"
    assert poll_transmissions().recorded == 0
    # then nothing is recorded twice
    assert _codes(issued_invoice) == [200, 203, 205]


def test_a_buyer_refusal_moves_the_invoice_to_needs_action(chorus, deposited, issued_invoice) -> None:
    # given the public buyer refuses the invoice (Chorus Pro "REJETEE")
    deposit = chorus.deposits[deposited.external_id]
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "REJETEE"
    # when polled
    poll_transmissions()
    # then 210 Refusée is recorded and the invoice needs action
    assert _codes(issued_invoice)[-1] == 210
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.REFUSED


def test_a_flow_rejected_by_chorus_pro_is_213_with_the_errors_given(
    chorus, deposited, issued_invoice
) -> None:
    deposit = chorus.deposits[deposited.external_id]
    deposit.state = "IN_REJETE"
    deposit.errors = [
        {"codeErreur": "REG_BT_46", "libelleErreur": "SIRET destinataire inconnu", "natureErreur": "R"}
    ]
    poll_transmissions()
    rejected = LifecycleStatus.objects.get(document=issued_invoice, code=213)
    assert rejected.reason_text == "SIRET destinataire inconnu"
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.REFUSED


def test_a_transient_gateway_error_is_retried(chorus, channels, public_customer, issued_invoice,
                                              django_capture_on_commit_callbacks) -> None:  # fmt: skip
    # given the gateway answers 503 once
    chorus.fail_next = [503]
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the retry went through
    assert Transmission.objects.get(document=issued_invoice).status == TransmissionStatus.SENT


def test_wrong_credentials_fail_with_the_gateways_reason(chorus, channels, public_customer, issued_invoice,
                                                         django_capture_on_commit_callbacks) -> None:  # fmt: skip
    channels["chorus_pro"]["client_secret"] = "wrong"
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    transmission = Transmission.objects.get(document=issued_invoice)
    assert transmission.status == TransmissionStatus.FAILED
    assert transmission.last_error == "OAuth2 token: HTTP 400 invalid_client"
    assert chorus.deposits == {}


def test_a_silent_gateway_times_out_with_a_clear_error(chorus, channels, public_customer, issued_invoice,
                                                       django_capture_on_commit_callbacks) -> None:  # fmt: skip
    channels.update(timeout=0.2, retries=0)
    chorus.delay = 0.5
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    transmission = Transmission.objects.get(document=issued_invoice)
    assert transmission.status == TransmissionStatus.FAILED
    assert transmission.last_error == "OAuth2 token: no answer within 0.2 s"


def test_unconfigured_chorus_pro_is_refused_at_once_naming_the_settings(
    settings, public_customer, issued_invoice, django_capture_on_commit_callbacks, monkeypatch
) -> None:
    # given no Chorus Pro account configured, neither in settings nor in the environment
    settings.FACTURIER_TRANSMISSION = {}
    for var in ENVIRONMENT["chorus_pro"].values():
        monkeypatch.delenv(var, raising=False)
    # when sending is requested (in English)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ChannelNotConfigured) as refused:
            transmission_request(document=issued_invoice, by=None)
    # then it is refused before anything is queued, naming what to set
    assert refused.value.message.startswith("Chorus Pro is not configured: set CHORUS_PRO_API_URL")
    assert (refused.value.code, refused.value.field) == ("channel_not_configured", "CHORUS_PRO_API_URL")
    assert callbacks == []
    assert not Transmission.objects.exists()


def test_each_company_deposits_with_its_own_technical_account(chorus, channels, public_customer, issued_invoice,
                                                              entity, django_capture_on_commit_callbacks) -> None:  # fmt: skip
    # given the installation's account is not this company's, but the company has its own
    channels["chorus_pro"].update(login="TECH_other", password="other")
    channels["chorus_pro"]["accounts"] = {
        entity.siren: {"login": chorus_pro.LOGIN, "password": chorus_pro.PASSWORD}
    }
    # when its invoice is sent
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the deposit was made with the company's technical account
    (call,) = chorus.calls("/cpro/factures/v1/deposer/flux")
    assert (
        base64.b64decode(call.headers["cpro-account"]).decode() == f"{chorus_pro.LOGIN}:{chorus_pro.PASSWORD}"
    )
    assert Transmission.objects.get(document=issued_invoice).status == TransmissionStatus.SENT


def test_the_scheduled_poll_runs_one_chunk_per_company_and_shows_its_progress(
    chorus, deposited, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    from facturier.jobs.models import JobRun, RunStatus
    from facturier.jobs.runs import job_execute, job_start

    # given Chorus Pro made the deposited invoice available
    deposit = chorus.deposits[deposited.external_id]
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "MISE_A_DISPOSITION"
    # when the poll-statuses schedule's job runs
    run, _ = job_start(
        key="schedule:poll-statuses:test", task="facturier.transmission.tasks.poll_lifecycle_statuses"
    )
    assert job_execute(run_id=run.pk) == RunStatus.DONE
    # then the status was recorded, and the run shows its chunks: the company, then the platform's flows
    run = JobRun.objects.get(pk=run.pk)
    assert (run.done, run.total, run.result) == (2, 2, {"polled": 1, "recorded": 1, "errors": 0})
    assert _codes(issued_invoice) == [200, 203]

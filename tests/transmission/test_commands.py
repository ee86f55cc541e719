"""`facturier transmit` and `facturier poll-statuses` from the command line."""

from __future__ import annotations

import pytest

from facturier.cli import main
from facturier.transmission.models import LifecycleStatus, Transmission, TransmissionStatus


@pytest.fixture
def public_invoice(public_customer, issued_invoice):  # type: ignore[no-untyped-def]
    return issued_invoice


def test_transmit_sends_the_named_invoice_and_says_how(
    chorus, channels, public_invoice, entity, capsys
) -> None:
    # when the invoice is sent by its number from the command line
    code = main(["transmit", public_invoice.number, "--entity", entity.siren])
    # then it left through Chorus Pro and the line says so
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(f"SENT     {public_invoice.number} via chorus_pro to 21750001600019/SERV-COMPTA")
    assert Transmission.objects.get().status == TransmissionStatus.SENT


def test_transmit_exits_1_when_sending_failed(chorus, channels, public_invoice, entity, capsys) -> None:
    channels["chorus_pro"]["password"] = "wrong"
    code = main(["transmit", public_invoice.number, "--entity", entity.siren])
    assert code == 1
    assert "FAILED   " in capsys.readouterr().out


def test_transmit_pending_sends_what_the_queue_lost(chorus, channels, public_invoice, capsys) -> None:
    # given a requested transmission whose task never ran (no on-commit callbacks in this test)
    from facturier.transmission.services import transmission_request

    transmission_request(document=public_invoice, by=None)
    assert Transmission.objects.get().status == TransmissionStatus.PENDING
    # when the sweeper runs
    assert main(["transmit", "--pending"]) == 0
    # then it is sent
    assert Transmission.objects.get().status == TransmissionStatus.SENT


def test_poll_statuses_records_new_statuses_and_reports_unknown_invoices(chorus, channels, public_invoice, entity,
                                                                          capsys) -> None:  # fmt: skip
    main(["transmit", public_invoice.number, "--entity", entity.siren])
    deposit = next(iter(chorus.deposits.values()))
    deposit.state, deposit.invoice_status = "IN_INTEGRE", "MISE_A_DISPOSITION"
    capsys.readouterr()
    assert main(["poll-statuses"]) == 0
    assert capsys.readouterr().out.startswith("1 transmissions polled, 1 new statuses recorded")
    assert list(LifecycleStatus.objects.values_list("code", flat=True)) == [200, 203]


def test_poll_statuses_exits_1_when_a_channel_is_unreachable(
    chorus, channels, public_invoice, entity, capsys
) -> None:
    main(["transmit", public_invoice.number, "--entity", entity.siren])
    chorus.fail_next = [503, 503, 503, 503]
    assert main(["poll-statuses"]) == 1
    assert "HTTP 503" in capsys.readouterr().out
    assert "HTTP 503" in Transmission.objects.get().last_error


def test_transmit_without_invoices_is_a_usage_error(capsys) -> None:
    assert main(["transmit"]) == 1
    assert "Name the invoices to send" in capsys.readouterr().err


def test_subscribing_to_platform_events_prints_the_signing_key(platform_api, channels, capsys) -> None:
    from django.core.management import call_command

    call_command("pdp_webhook_subscribe", "https://facturier.example/api/v1/transmission/pdp/webhook")
    (webhook,) = platform_api.webhooks
    assert webhook["callbackUrl"] == "https://facturier.example/api/v1/transmission/pdp/webhook"
    assert webhook["flowTypes"] == ["CustomerInvoice", "CustomerInvoiceLC"]
    assert capsys.readouterr().out.strip().endswith(webhook["signingKey"])


def test_transmit_refuses_at_once_when_email_is_not_configured(
    channels, settings, issued_invoice, entity, capsys
) -> None:
    # given an invoice to a customer known by email, and no mail server configured
    settings.EMAIL_URL = ""
    # when it is sent from the command line
    code = main(["transmit", issued_invoice.number, "--entity", entity.siren])
    # then the line names the setting to configure, and nothing was queued
    out = capsys.readouterr().out
    assert code == 1
    assert f"REFUSED  {issued_invoice}: L'envoi par e-mail n'est pas configuré" in out
    assert "EMAIL_URL" in out
    assert "[channel_not_configured]" in out
    assert not Transmission.objects.exists()


def test_transmit_explains_a_failure_after_acceptance(
    channels, settings, issued_invoice, entity, capsys
) -> None:
    from tests.transmission.test_email import closed_port

    # given a mail server nobody listens on
    settings.EMAIL_URL = f"smtp://127.0.0.1:{closed_port()}"
    # when the invoice is sent from the command line, then the line explains the failure and keeps the detail
    assert main(["transmit", issued_invoice.number, "--entity", entity.siren]) == 1
    out = capsys.readouterr().out
    assert "FAILED   " in out
    assert "Le serveur a refusé la connexion" in out
    assert "Connection refused" in out

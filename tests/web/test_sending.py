"""Sending that fails says so: refused at once when the channel is not configured, and a failure after
acceptance shows on the invoice page (reason, time, retry) and on the dashboard."""

import datetime as dt
import socket

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse

from facturier.invoicing.models import Status
from facturier.invoicing.services import invoice_issue
from facturier.transmission.models import Transmission, TransmissionStatus
from tests.web.conftest import page_messages
from tests.web.test_documents import action

FAILED_AT = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)  # 10:15 in Paris


def closed_port() -> int:
    """A port nothing listens on: bound, then closed, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def invoice(draft_invoice, owner, settings):
    settings.EINVOICE_VALIDATE_ON_ISSUE = False  # validation on issue has its own tests
    return invoice_issue(invoice=draft_invoice, by=owner)


@pytest.fixture
def refused_smtp(settings):
    """A mail server address where nothing listens."""
    settings.EMAIL_URL = f"smtp://127.0.0.1:{closed_port()}?timeout=5"
    settings.DEFAULT_FROM_EMAIL = "factures@dupont.example"


def detail(client, invoice) -> str:
    return client.get(reverse("web:document-detail", kwargs={"pk": invoice.pk})).content.decode()


def send_failing(client, invoice, capture) -> str:
    """Click "send" (the task runs when the request's transaction commits), then reopen the page."""
    with time_machine.travel(FAILED_AT, tick=False), capture(execute=True):
        action(client, invoice, "send")
    return detail(client, invoice)


def test_without_email_url_the_send_button_is_refused_at_once_naming_it(
    owner_client, invoice, settings, django_capture_on_commit_callbacks
) -> None:
    # given no mail server configured
    settings.EMAIL_URL = ""
    # when the accountant clicks "Envoyer la facture électronique"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = action(owner_client, invoice, "send")
    # then the invoice page says at once what to configure, and nothing was queued
    assert page_messages(response) == [
        "L'envoi par e-mail n'est pas configuré : définissez EMAIL_URL (voir le README)."
    ]
    assert callbacks == []
    assert not Transmission.objects.exists()
    invoice.refresh_from_db()
    assert invoice.status == Status.ISSUED


def test_the_refusal_is_in_english_for_a_user_who_chose_english(owner_client, invoice, settings) -> None:
    # given an English-speaking user and no mail server configured
    settings.EMAIL_URL = ""
    owner_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    # when they click "Send e-invoice", then the message is in English
    response = action(owner_client, invoice, "send")
    assert page_messages(response) == ["Sending by email is not configured: set EMAIL_URL (see the README)."]


def test_a_customer_without_email_is_refused_at_once(owner_client, invoice, customer) -> None:
    # given a customer whose billing email was removed
    customer.email = ""
    customer.save()
    # when the invoice is sent, then the page says the customer has no address
    response = action(owner_client, invoice, "send")
    assert page_messages(response) == [
        "Impossible d'envoyer à ce client : ajoutez une adresse e-mail, une adresse de facturation "
        "électronique ou un SIRET."
    ]
    assert not Transmission.objects.exists()


def test_a_failed_sending_shows_on_the_invoice_page_with_its_reason_time_and_a_retry_button(
    owner_client, invoice, refused_smtp, django_capture_on_commit_callbacks
) -> None:
    # when the invoice is sent while the mail server refuses connections
    page = send_failing(owner_client, invoice, django_capture_on_commit_callbacks)
    # then the page has an alert saying why, when, and offering a retry
    assert 'id="sending-failure"' in page
    assert "Échec de l'envoi à factures@martin.example (E-mail)." in page
    assert "Le serveur a refusé la connexion : vérifiez son adresse et son port (EMAIL_URL" in page
    assert 'datetime="2026-03-02T10:15:00+01:00"' in page
    assert "1 tentative" in page
    assert "Réessayer l'envoi" in page
    # and the technical detail is kept for support, the history shows the translated reason
    assert "Connection refused" in page
    history = page[page.index('id="history"') :]
    assert "Le serveur a refusé la connexion" in history


def test_the_failure_is_explained_in_english_for_an_english_user(
    owner_client, invoice, refused_smtp, django_capture_on_commit_callbacks
) -> None:
    owner_client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    page = send_failing(owner_client, invoice, django_capture_on_commit_callbacks)
    assert "Sending through Email to factures@martin.example failed." in page
    assert "The server refused the connection: check its address and port (EMAIL_URL for email)" in page
    assert "Retry sending" in page


def test_retrying_once_the_server_is_configured_sends_and_clears_the_alert(
    owner_client, invoice, refused_smtp, settings, django_capture_on_commit_callbacks, mailoutbox
) -> None:
    # given a failed sending
    send_failing(owner_client, invoice, django_capture_on_commit_callbacks)
    # when the mail server is fixed and the retry button is clicked
    settings.EMAIL_URL = "memory://"
    with django_capture_on_commit_callbacks(execute=True):
        response = action(owner_client, invoice, "send")
    assert page_messages(response) == ["Envoi lancé à factures@martin.example (E-mail)."]
    # then the invoice left and its page no longer shows the alert
    assert [message.to for message in mailoutbox] == [["factures@martin.example"]]
    assert 'id="sending-failure"' not in detail(owner_client, invoice)
    transmission = Transmission.objects.get()
    assert (transmission.status, transmission.attempts) == (TransmissionStatus.SENT, 2)


def test_the_dashboard_lists_the_invoices_whose_last_sending_failed(
    owner_client, invoice, refused_smtp, settings, django_capture_on_commit_callbacks
) -> None:
    # given no failure yet, the dashboard has no failures card
    assert 'id="sending-failures"' not in owner_client.get(reverse("web:dashboard")).content.decode()
    # when a sending fails
    send_failing(owner_client, invoice, django_capture_on_commit_callbacks)
    # then the dashboard lists the invoice, linked to its page
    page = owner_client.get(reverse("web:dashboard")).content.decode()
    card = page[page.index('id="sending-failures"') :]
    assert "Échecs d'envoi" in card
    assert "1 facture dont le dernier envoi a échoué" in card
    assert f'href="{reverse("web:document-detail", kwargs={"pk": invoice.pk})}">{invoice.number}</a>' in card
    # and once it is sent again, the card is gone
    settings.EMAIL_URL = "memory://"
    with django_capture_on_commit_callbacks(execute=True):
        action(owner_client, invoice, "send")
    assert 'id="sending-failures"' not in owner_client.get(reverse("web:dashboard")).content.decode()


def test_another_companys_failures_are_not_on_my_dashboard(
    client, outsider, invoice, refused_smtp, owner_client, django_capture_on_commit_callbacks
) -> None:
    # given a failed sending in the owner's company
    send_failing(owner_client, invoice, django_capture_on_commit_callbacks)
    # when a user of another company opens their dashboard, then it lists nothing of it
    client.force_login(outsider)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert invoice.number not in page
    assert 'id="sending-failures"' not in page


def test_a_sending_still_queued_says_so_on_the_invoice_page(owner_client, invoice) -> None:
    # when the invoice is sent and the worker has not run yet (no on-commit callbacks executed here)
    response = action(owner_client, invoice, "send")
    # then the page says it is under way and that a failure will show there
    assert page_messages(response) == ["Envoi lancé à factures@martin.example (E-mail)."]
    page = response.content.decode()
    assert 'id="sending-pending"' in page
    assert "Envoi à factures@martin.example (E-mail) en cours ; cette page indiquera s'il échoue." in page

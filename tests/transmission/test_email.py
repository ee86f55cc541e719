"""Invoices sent by email through a real SMTP server (aiosmtpd on 127.0.0.1), Factur-X attached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.conf import global_settings
from django.utils import translation

from facturier.audit.models import AuditEvent
from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Status
from facturier.transmission.errors import ChannelNotConfigured
from facturier.transmission.models import Transmission, TransmissionStatus
from facturier.transmission.services import transmission_request


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.unknown_users: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]
        if address in self.unknown_users:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def closed_port() -> int:
    """A port nothing listens on: bound, then closed, so connecting to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(channels, settings) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=closed_port())
    controller.start()
    settings.EMAIL_URL = f"smtp://127.0.0.1:{controller.port}?timeout=5"
    yield inbox
    controller.stop()


def test_invoice_is_emailed_with_its_factur_x_pdf_attached(
    smtp, issued_invoice, customer, django_capture_on_commit_callbacks
) -> None:
    # given an issued invoice to a customer known only by email
    # when sending is requested (the worker task runs once the transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the SMTP server received one message to the billing address
    ((sender, recipients, message),) = smtp.messages
    assert (sender, recipients) == ("factures@dupont.example", ["factures@martin.example"])
    assert message["Subject"].startswith(f"Facture {issued_invoice.number}")  # the document's language
    body = message.get_body(("plain",)).get_content()
    assert (
        f"Veuillez trouver ci-joint votre facture {issued_invoice.number} d'un montant de 3\u202f204,60\xa0€"
        in body
    )
    # with the Factur-X PDF attached
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == f"{issued_invoice.number}.pdf"
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF-")
    assert b"factur-x.xml" in pdf
    # and the invoice is now sent, with the transmission recorded and audited
    transmission = Transmission.objects.get(document=issued_invoice)
    assert (transmission.channel, transmission.status, transmission.attempts) == ("email", "sent", 1)
    assert transmission.external_id == message["Message-ID"]
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.SENT
    actions = set(
        AuditEvent.objects.filter(object_id=str(issued_invoice.pk)).values_list("action", flat=True)
    )
    assert {"invoice.transmission_requested", "invoice.transmitted", "invoice.sent"} <= actions


def test_sending_twice_delivers_once(smtp, issued_invoice, django_capture_on_commit_callbacks) -> None:
    # given an invoice already emailed
    with django_capture_on_commit_callbacks(execute=True):
        first = transmission_request(document=issued_invoice, by=None)
    # when sending is requested again
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        second = transmission_request(document=issued_invoice, by=None)
    # then nothing new is scheduled nor sent
    assert second.pk == first.pk
    assert callbacks == []
    assert len(smtp.messages) == 1


def test_an_unreachable_smtp_server_fails_clearly_and_can_be_retried(
    smtp, settings, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given the mail server is down (nothing listens on its port)
    working_url = settings.EMAIL_URL
    settings.EMAIL_URL = f"smtp://127.0.0.1:{closed_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the transmission failed, coded "connection refused" with the system's own words kept
    transmission = Transmission.objects.get(document=issued_invoice)
    assert transmission.status == TransmissionStatus.FAILED
    assert transmission.last_error_code == "connection_refused"
    assert "factures@martin.example" in transmission.last_error
    assert "Connection refused" in transmission.last_error
    # and the audit trail keeps the code next to the detail, and the invoice is not marked sent
    failed = AuditEvent.objects.get(action="invoice.transmission_failed")
    assert failed.after["error_code"] == "connection_refused"
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.ISSUED
    # when the server is back and sending is asked again
    settings.EMAIL_URL = working_url
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the same transmission is sent on its second attempt
    transmission.refresh_from_db()
    assert (transmission.status, transmission.attempts, transmission.last_error) == ("sent", 2, "")
    assert transmission.last_error_code == ""
    assert len(smtp.messages) == 1


def test_a_recipient_the_smtp_server_rejects_is_recorded_as_such(
    smtp, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given a mail server that does not know the customer's address
    smtp.unknown_users.add("factures@martin.example")
    # when the invoice is sent
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the failure says the recipient was refused, with the server's answer
    transmission = Transmission.objects.get(document=issued_invoice)
    assert (transmission.status, transmission.last_error_code) == ("failed", "recipient_refused")
    assert "No such user here" in transmission.last_error
    assert smtp.messages == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "L'envoi par e-mail n'est pas configuré : définissez EMAIL_URL (voir le README)."),
        ("en", "Sending by email is not configured: set EMAIL_URL (see the README)."),
    ],
)
def test_without_email_url_sending_is_refused_at_once_and_nothing_is_queued(
    channels, settings, issued_invoice, django_capture_on_commit_callbacks, mailoutbox, language, expected
) -> None:
    # given no mail server configured
    settings.EMAIL_URL = ""
    # when sending by email is requested
    with translation.override(language), django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ChannelNotConfigured) as refused:
            transmission_request(document=issued_invoice, by=None)
    # then it is refused in the user's language, naming the variable to set
    assert refused.value.message == expected
    assert (refused.value.code, refused.value.field, refused.value.status) == (
        "channel_not_configured", "EMAIL_URL", 422,
    )  # fmt: skip
    # and nothing was queued, sent nor recorded
    assert callbacks == []
    assert not Transmission.objects.exists()
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(action="invoice.transmission_requested").exists()


def test_without_any_sender_address_sending_is_refused_naming_default_from_email(
    channels, settings, entity, issued_invoice
) -> None:
    # given no DEFAULT_FROM_EMAIL and a company without an email address
    settings.DEFAULT_FROM_EMAIL = global_settings.DEFAULT_FROM_EMAIL
    entity.email = ""
    entity.save()
    issued_invoice.entity.refresh_from_db()
    # when sending by email is requested, then it is refused, naming what to set
    with translation.override("fr"), pytest.raises(ChannelNotConfigured) as refused:
        transmission_request(document=issued_invoice, by=None)
    assert refused.value.field == "DEFAULT_FROM_EMAIL"
    assert "DEFAULT_FROM_EMAIL" in refused.value.message
    assert not Transmission.objects.exists()


def test_the_company_address_is_the_sender_when_no_default_from_email_is_set(
    smtp, settings, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given no installation-wide sender
    settings.DEFAULT_FROM_EMAIL = global_settings.DEFAULT_FROM_EMAIL
    # when the invoice is sent
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then it leaves from the company's own address
    ((sender, _recipients, message),) = smtp.messages
    assert sender == "compta@dupont.example"
    assert message["Reply-To"] is None


def test_a_customer_without_email_is_refused_at_once(channels, customer, issued_invoice) -> None:
    # given a customer whose billing email was removed after the invoice was issued
    customer.email = ""
    customer.save()
    issued_invoice.customer.refresh_from_db()
    # when sending by email is asked, then it is refused in French, naming the field
    with translation.override("fr"), pytest.raises(ValidationFailed) as refused:
        transmission_request(document=issued_invoice, by=None, channel="email")
    assert (refused.value.code, refused.value.field) == ("missing_email", "email")
    assert refused.value.message == "Ce client n'a pas d'adresse e-mail de facturation."
    assert not Transmission.objects.exists()

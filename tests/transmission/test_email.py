"""Invoices sent by email through a real SMTP server (aiosmtpd on 127.0.0.1), Factur-X attached."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from facturier.audit.models import AuditEvent
from facturier.invoicing.models import Status
from facturier.transmission.models import Transmission, TransmissionStatus
from facturier.transmission.services import transmission_request


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(channels) -> Iterator[Inbox]:  # type: ignore[no-untyped-def]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    channels["email"]["url"] = f"smtp://127.0.0.1:{controller.port}"
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
    smtp, channels, issued_invoice, django_capture_on_commit_callbacks
) -> None:
    # given the mail server is down
    working_url = channels["email"]["url"]
    channels["email"]["url"] = f"smtp://127.0.0.1:{_free_port()}"
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the transmission failed with the reason, and the invoice is not marked sent
    transmission = Transmission.objects.get(document=issued_invoice)
    assert transmission.status == TransmissionStatus.FAILED
    assert "factures@martin.example" in transmission.last_error
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.ISSUED
    # when the server is back and sending is asked again
    channels["email"]["url"] = working_url
    with django_capture_on_commit_callbacks(execute=True):
        transmission_request(document=issued_invoice, by=None)
    # then the same transmission is sent on its second attempt
    transmission.refresh_from_db()
    assert (transmission.status, transmission.attempts, transmission.last_error) == ("sent", 2, "")
    assert len(smtp.messages) == 1

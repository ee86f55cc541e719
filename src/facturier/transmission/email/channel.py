"""Send the invoice file by email through Django's mail framework.

The mail server comes from ``EMAIL_URL`` (parsed by ``config.settings.email``; unset = not configured);
the sender is ``DEFAULT_FROM_EMAIL`` when it was set, else the company's own address. Email carries no
lifecycle status: a sent email is the end of the story for this channel. A failure is reported with
a code saying what went wrong (connection refused, address rejected...) next to the server's words.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import socket
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any

from django.core.mail import EmailMessage, get_connection

from config.settings.email import connection_options
from facturier.transmission.base import ChannelError, Delivery, Received, SendReceipt, StatusReport


def failure_code(exc: BaseException) -> str:
    """The ``Failure`` code for what smtplib or the network raised (most specific first)."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "authentication_failed"
    if isinstance(exc, smtplib.SMTPSenderRefused):
        return "sender_refused"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "recipient_refused"
    if isinstance(exc, smtplib.SMTPNotSupportedError | ssl.SSLError):
        return "tls_error"  # e.g. STARTTLS asked of a server that does not offer it
    if isinstance(exc, smtplib.SMTPResponseException):
        return "message_rejected"
    if isinstance(exc, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, socket.gaierror):
        return "host_not_found"
    return "network_error"


@dataclass
class EmailConfig:
    from_email: str
    url: str = ""


class EmailChannel:
    name = "email"

    def __init__(self, config: EmailConfig) -> None:
        self.config = config

    @staticmethod
    def missing_settings(values: Mapping[str, Any]) -> list[str]:
        """The server (``url``: EMAIL_URL) and a sender address (``from_email``) are both needed."""
        return [key for key in ("url", "from_email") if not values.get(key)]

    def _connection(self) -> Any:
        backend, options = connection_options(self.config.url)
        return get_connection(backend, fail_silently=False, **options)

    def send(self, delivery: Delivery) -> SendReceipt:
        if not delivery.recipient:
            raise ChannelError("No email address to send the invoice to", code="recipient_refused")
        message_id = make_msgid(domain=self.config.from_email.rpartition("@")[2] or None)
        reply_to = delivery.reply_to if delivery.reply_to != self.config.from_email else ""
        message = EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=self.config.from_email,
            to=[delivery.recipient],
            reply_to=[reply_to] if reply_to else None,
            headers={"Message-ID": message_id},
            connection=self._connection(),
        )
        message.attach(delivery.payload.filename, delivery.payload.content, delivery.payload.mime_type)
        try:
            message.send()
        except (OSError, ValueError, smtplib.SMTPException) as exc:  # smtplib errors are OSError subclasses
            raise ChannelError(
                f"Email to {delivery.recipient}: {exc}", retryable=True, code=failure_code(exc)
            ) from exc
        return SendReceipt(external_id=message_id)

    def poll_status(self, external_id: str) -> list[StatusReport]:
        return []

    def receive(self, since: dt.datetime | None = None) -> list[Received]:
        return []

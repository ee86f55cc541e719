"""Send the invoice file by email through Django's mail framework.

The SMTP server comes from ``EMAIL_URL`` (``smtp://user:password@host:port``, ``smtp+tls://`` for
STARTTLS, ``smtps://`` for implicit TLS) when it is set, else from Django's usual ``EMAIL_*``
settings. Email carries no lifecycle status: a sent email is the end of the story for this channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import make_msgid
from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.mail import EmailMessage, get_connection

from facturier.transmission.base import ChannelError, Delivery, Received, SendReceipt, StatusReport

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def connection_options(url: str, timeout: float) -> dict[str, Any]:
    """Keyword arguments for Django's SMTP backend from an ``EMAIL_URL``."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtp+tls", "smtps", "submission"):
        raise ChannelError(f"EMAIL_URL: unsupported scheme {parts.scheme!r} (smtp, smtp+tls or smtps)")
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or {"smtps": 465, "submission": 587}.get(parts.scheme, 25),
        "username": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "use_tls": parts.scheme in ("smtp+tls", "submission"),
        "use_ssl": parts.scheme == "smtps",
        "timeout": timeout,
    }


@dataclass
class EmailConfig:
    from_email: str
    url: str = ""
    timeout: float = 20.0


class EmailChannel:
    name = "email"

    def __init__(self, config: EmailConfig) -> None:
        self.config = config

    def _connection(self) -> Any:
        if self.config.url:
            return get_connection(SMTP_BACKEND, fail_silently=False,
                                  **connection_options(self.config.url, self.config.timeout))  # fmt: skip
        return get_connection(fail_silently=False)

    def send(self, delivery: Delivery) -> SendReceipt:
        if not delivery.recipient:
            raise ChannelError("No email address to send the invoice to")
        message_id = make_msgid(domain=self.config.from_email.rpartition("@")[2] or None)
        message = EmailMessage(
            subject=delivery.subject,
            body=delivery.body,
            from_email=self.config.from_email,
            to=[delivery.recipient],
            reply_to=[delivery.reply_to] if delivery.reply_to else None,
            headers={"Message-ID": message_id},
            connection=self._connection(),
        )
        message.attach(delivery.payload.filename, delivery.payload.content, delivery.payload.mime_type)
        try:
            message.send()
        except (OSError, ValueError) as exc:  # smtplib errors are OSError subclasses
            raise ChannelError(f"Email to {delivery.recipient}: {exc}", retryable=True) from exc
        return SendReceipt(external_id=message_id)

    def poll_status(self, external_id: str) -> list[StatusReport]:
        return []

    def receive(self, since: dt.datetime | None = None) -> list[Received]:
        return []

"""The one interface every transmission channel implements, and the values it exchanges.

A channel knows how to deliver an invoice's file to a recipient (``send``), how to ask where the
invoice is now (``poll_status``) and how to fetch what the other side sent us on its own
(``receive``: lifecycle messages from a platform). It never touches the database: the services
record what it reports, in one transaction with the audit trail.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Protocol

from facturier.common.http import OutboundError
from facturier.domain.lifecycle import StatusEvent


class ChannelError(OutboundError):
    """A channel could not do what was asked. ``retryable``: a later attempt may succeed.

    ``message`` is the technical detail (English, kept for the record); ``code`` names the kind of
    failure (``transmission.failures.Failure``) so pages explain it in the reader's language.
    """


@dataclass(frozen=True)
class Payload:
    """The file that leaves: a Factur-X PDF, or the CII/UBL XML when no PDF can be made."""

    content: bytes
    filename: str
    syntax: str  # "facturx" | "cii" | "ubl"
    mime_type: str


@dataclass(frozen=True)
class Delivery:
    """What the channel needs to know about the invoice being sent."""

    number: str
    recipient: str
    payload: Payload
    subject: str = ""
    body: str = ""
    seller_siret: str = ""
    buyer_siret: str = ""
    service_code: str = ""
    reply_to: str = ""


@dataclass(frozen=True)
class StatusReport:
    """A lifecycle status reported by a channel, with the channel's own wording kept for the record."""

    code: int
    occurred_at: dt.datetime | None = None
    reason_code: str = ""
    reason_text: str = ""
    external_status: str = ""


@dataclass(frozen=True)
class SendReceipt:
    external_id: str
    statuses: tuple[StatusReport, ...] = ()


@dataclass(frozen=True)
class Received:
    """Lifecycle statuses the other side sent on its own (CDAR flows), with where they came from."""

    reference: str
    events: tuple[StatusEvent, ...] = field(default_factory=tuple)
    error: str = ""


class Channel(Protocol):
    """A channel adapter. Besides these methods, each adapter class has a static
    ``missing_settings(values) -> list[str]``: the settings (environment variable names) it cannot
    work without, checked by ``channels.check_configured`` before a sending is accepted."""

    name: str

    def send(self, delivery: Delivery) -> SendReceipt:
        """Deliver the file; return the channel's identifier of what was sent. Raise ChannelError."""
        ...

    def poll_status(self, external_id: str) -> list[StatusReport]:
        """Statuses currently known for a sending (may be empty while nothing happened)."""
        ...

    def receive(self, since: dt.datetime | None = None) -> list[Received]:
        """Messages for us updated after ``since`` (lifecycle flows); channels without an inbox return []."""
        ...

"""Named errors of sending: refused before anything is queued, so the user learns it at once."""

from __future__ import annotations

from typing import Any

from facturier.common.errors import ValidationFailed


class ChannelNotConfigured(ValidationFailed):
    """The channel lacks a setting (``field``: the first missing one; ``missing``: all of them).

    A 422 in the API (problem+json ``code`` ``channel_not_configured``), a message on the invoice page,
    a REFUSED line from ``facturier transmit``. The message is already in the user's language.
    """

    code = "channel_not_configured"

    def __init__(self, message: str, *, channel: str, missing: list[str], **extra: Any) -> None:
        super().__init__(message, field=missing[0] if missing else None, channel=channel, missing=missing,
                         **extra)  # fmt: skip

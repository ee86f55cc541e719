"""Why a sending failed after it was accepted, as a stable code stored with the technical detail.

The database and the audit trail keep the code and the channel's own message (English, for support);
pages show the code's label, translated when displayed, which says what happened and what to do.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Failure(models.TextChoices):
    CONNECTION_REFUSED = (
        "connection_refused",
        _(
            "The server refused the connection: check its address and port (EMAIL_URL for email) and that it is running."
        ),
    )
    TIMEOUT = "timeout", _("The server did not answer in time. Try again later.")
    HOST_NOT_FOUND = (
        "host_not_found",
        _("The server's name was not found: check its address in the configuration."),
    )
    NETWORK_ERROR = "network_error", _("The connection to the server was lost. Try again later.")
    TLS_ERROR = (
        "tls_error",
        _("The secure (TLS) connection to the server failed: check the scheme and port of EMAIL_URL."),
    )
    AUTHENTICATION_FAILED = (
        "authentication_failed",
        _("The server refused our credentials: check the user name and password in the configuration."),
    )
    RECIPIENT_REFUSED = (
        "recipient_refused",
        _("The mail server refused the customer's address: check the customer's billing email."),
    )
    SENDER_REFUSED = (
        "sender_refused",
        _(
            "The mail server refused the sender address: check DEFAULT_FROM_EMAIL or the company's email address."
        ),
    )
    MESSAGE_REJECTED = "message_rejected", _("The mail server rejected the message.")
    REMOTE_ERROR = "remote_error", _("The platform had an internal error. Try again later.")
    REMOTE_REFUSED = "remote_refused", _("The platform refused the invoice.")
    MISSING_ADDRESS = (
        "missing_address",
        _("The customer has no address on this channel: complete its record."),
    )
    NOT_CONFIGURED = "channel_not_configured", _("The sending channel is not configured.")
    INVALID_INVOICE = "invalid_invoice", _("The e-invoice could not be produced: it is invalid.")
    INTERNAL_ERROR = "internal_error", _("An unexpected error occurred; it has been logged.")
    CHANNEL_ERROR = "channel_error", _("The channel reported an error.")


def failure_label(code: str) -> str:
    """The translated explanation of ``code`` (unknown or empty codes: the generic one)."""
    try:
        return str(Failure(code).label)
    except ValueError:
        return str(Failure.CHANNEL_ERROR.label)

"""Receipt files: PDF, JPEG or PNG recognised from their bytes (never from the name or the browser's
content type), within a size limit (``FACTURIER_RECEIPT_MAX_BYTES``, 10 MB by default)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.utils.translation import gettext as _

from facturier.common.errors import ValidationFailed
from facturier.timesheets import errors

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


def max_bytes() -> int:
    return int(getattr(settings, "FACTURIER_RECEIPT_MAX_BYTES", DEFAULT_MAX_BYTES))


def sniff(content: bytes) -> str | None:
    """The receipt's media type from its first bytes, or None for anything else."""
    for magic, media_type in SIGNATURES:
        if content.startswith(magic):
            return media_type
    return None


def checked_receipt(content: bytes) -> tuple[str, str]:
    """(media type, SHA-256) of an acceptable receipt; refuses a file too big or of another type."""
    limit = max_bytes()
    if len(content) > limit:
        raise ValidationFailed(
            _("The receipt is larger than %(size)s MB.") % {"size": limit // (1024 * 1024) or 1},
            field="receipt", code=errors.RECEIPT_TOO_LARGE,
        )  # fmt: skip
    media_type = sniff(content)
    if media_type is None:
        raise ValidationFailed(
            _("A receipt is a PDF, JPEG or PNG file."), field="receipt", code=errors.RECEIPT_TYPE
        )
    return media_type, hashlib.sha256(content).hexdigest()

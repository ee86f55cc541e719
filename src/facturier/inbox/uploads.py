"""Refusing an oversize upload from its Content-Length, before Django reads (and spools) the body.

Checking ``UploadedFile.size`` only happens after the whole body was received and written to a
temporary file; a declared length over the limit is answered at once instead. Multipart framing
adds a few hundred bytes, hence the margin. (A front proxy should still cap request bodies.)
"""

from django.http import HttpRequest

from facturier.inbox.limits import InboxLimits

MULTIPART_MARGIN = 64 * 1024


def declared_length_over_limit(request: HttpRequest) -> int | None:
    """The declared body length when it cannot hold an acceptable file, else None."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = InboxLimits.from_settings().max_file_bytes
    return length if length > limit + MULTIPART_MARGIN else None

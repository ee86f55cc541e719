"""`Idempotency-Key` on POST: a retried request gets the first response instead of a second effect.

The whole request runs in one transaction that first inserts the key's row (unique per API key), then
performs the operation and stores its response. A concurrent request with the same key blocks on
that unique row until the first commits (PostgreSQL), or waits for the single writer (SQLite), then
finds the stored response and replays it: the operation runs once. The same key with another body
is a client bug and is refused (422 `idempotency_key_reused`). Server errors (5xx) are rolled back
with the row, so the client may retry them.

`api.py` installs `run_once` on the whole API, so every POST of every router honours the header;
`@idempotent` on a single operation is kept for routers mounted elsewhere and is harmless twice.
"""

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view

from facturier.api.models import IdempotencyRecord
from facturier.api.v1.auth import Unauthenticated, key_from_request
from facturier.api.v1.problems import problem, request_too_large

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
_HANDLED = "_facturier_idempotency_handled"


def request_fingerprint(request: HttpRequest) -> str:
    digest = hashlib.sha256()
    for part in (request.method or "", request.path):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(request: HttpRequest, record: IdempotencyRecord, fingerprint: str) -> HttpResponse:
    if record.request_hash != fingerprint:
        return problem(
            request, status=422, code="idempotency_key_reused", field=HEADER,
            detail=_("This Idempotency-Key was already used for a different request."),
        )  # fmt: skip
    response = HttpResponse(record.body, status=record.status_code, content_type=record.content_type)
    response[REPLAY_HEADER] = "true"
    return response


def run_once(run: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a django-ninja operation's `run` (view mode) so that a POST with a key takes effect once."""

    @functools.wraps(run)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        idempotency_key = request.headers.get(HEADER, "").strip()
        if request.method != "POST" or not idempotency_key or getattr(request, _HANDLED, False):
            return run(request, *args, **kwargs)
        setattr(request, _HANDLED, True)
        try:
            api_key = key_from_request(request)
        except Unauthenticated:  # a revoked key: authentication answers
            api_key = None
        if api_key is None:
            return run(request, *args, **kwargs)
        if len(idempotency_key) > MAX_KEY_LENGTH:
            return problem(request, status=422, code="invalid_idempotency_key", field=HEADER,
                           detail=_("An Idempotency-Key has at most %(max)s characters.") % {"max": MAX_KEY_LENGTH})  # fmt: skip
        try:
            fingerprint = request_fingerprint(request)
        except RequestDataTooBig:  # read here, before the operation's own error handling
            return request_too_large(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        api_key=api_key, key=idempotency_key, request_hash=fingerprint
                    )
            except IntegrityError:
                existing = IdempotencyRecord.objects.get(api_key=api_key, key=idempotency_key)
                return _replay(request, existing, fingerprint)
            response = run(request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            record.status_code = response.status_code
            record.content_type = response.get("Content-Type", "")
            record.body = response.content.decode()
            record.save(update_fields=["status_code", "content_type", "body"])
            return response

    return wrapper


idempotent = decorate_view(run_once)
"""Put under `@router.post(...)`: makes one operation honour `Idempotency-Key`."""

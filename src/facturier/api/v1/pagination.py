"""Cursor pagination on (created_at, id), newest first.

An offset would skip or repeat rows when documents are created between two page requests; a cursor
names the last row seen, so a client walking the pages sees every row exactly once. The cursor is
opaque to clients (base64 of JSON) and checked on the way back in.
"""

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import urlencode

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from pydantic import Field

from facturier.common.errors import ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

M = TypeVar("M", bound=Model)

Limit = Annotated[int, Field(ge=1, le=MAX_LIMIT, description=f"rows per page, 1 to {MAX_LIMIT}")]
"""The `limit` query parameter of every list: its bounds are in the schema and checked before the view."""
Cursor = Annotated[
    str, Field(max_length=200, pattern="^[A-Za-z0-9_-]*$", description="`next` of the last page")
]
"""An opaque page cursor (URL-safe base64); its content is checked by `decode_cursor`."""


@dataclass(frozen=True)
class Page(Generic[M]):
    items: list[M]
    next: str | None


def encode_cursor(created_at: dt.datetime, pk: uuid.UUID) -> str:
    raw = json.dumps({"c": created_at.isoformat(), "i": str(pk)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data: dict[str, Any] = json.loads(raw)
        created_at = dt.datetime.fromisoformat(data["c"])
        pk = uuid.UUID(data["i"])
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise ValidationFailed(
            _("This cursor is not valid."), field="cursor", code="invalid_cursor"
        ) from error
    if created_at.tzinfo is None:
        raise ValidationFailed(_("This cursor is not valid."), field="cursor", code="invalid_cursor")
    return created_at, pk


def paginate(request: HttpRequest, queryset: QuerySet[M], *, cursor: str | None, limit: int) -> Page[M]:
    """One page of `queryset` after `cursor`, and the absolute URL of the next page (None at the end)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(
            _("limit is between 1 and %(max)s.") % {"max": MAX_LIMIT},
            field="limit",
            code="invalid_limit",
        )
    rows = queryset.order_by("-created_at", "-id")
    if cursor:
        created_at, pk = decode_cursor(cursor)
        rows = rows.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk))
    items = list(rows[: limit + 1])
    if len(items) <= limit:
        return Page(items=items, next=None)
    items = items[:limit]
    last = items[-1]
    query = request.GET.copy()
    query["cursor"] = encode_cursor(last.created_at, last.pk)  # type: ignore[attr-defined]
    query["limit"] = str(limit)
    url = request.build_absolute_uri(f"{request.path}?{urlencode(list(query.lists()), doseq=True)}")
    return Page(items=items, next=url)

"""Keyset ("cursor") pages for the staff lists that grow with history (issue 9).

A page is read after (or before) the last (first) row of the previous one in a stable order that ends
with the primary key, so a page costs the same at row 25 and at row 1,000,000 (no OFFSET), and the
total is counted only up to `COUNT_UP_TO` (a `COUNT(*)` of a `LIMIT` sub-query): above, the list says
"more than 1,000". The cursor is the row's ordering values, URL-safe base64 of JSON; a cursor that
does not decode is the first page.
"""

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Model, Q, QuerySet

PAGE_SIZE = 25
COUNT_UP_TO = 1000


@dataclass(frozen=True)
class KeysetPage:
    """One page of a staff list read by keyset (no OFFSET), counted only up to `more_than`: the customer
    and payment lists (`keyset_page`) and the document lists (`web.listing.list_page`)."""

    rows: list[Any]
    next_cursor: str  # `after=` of the next page; empty on the last page
    previous_cursor: str  # `before=` of the previous page; empty on the first page
    count: int  # matching rows, capped at more_than + 1
    is_first: bool  # no row before this page (a page after a stale cursor may be empty and not the first)
    more_than: int = COUNT_UP_TO

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def counted(self) -> bool:
        return self.count <= self.more_than


def _encode(row: Model, fields: Sequence[str]) -> str:
    values = [getattr(row, name.lstrip("-")) for name in fields]
    raw = json.dumps(values, cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(model: type[Model], fields: Sequence[str], cursor: str) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(values, list) or len(values) != len(fields):
            return None
        return [
            model._meta.get_field(name.lstrip("-")).to_python(value)  # type: ignore[union-attr]
            for name, value in zip(fields, values, strict=True)
        ]
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError, ValidationError):
        return None


def _beyond(fields: Sequence[str], values: list[Any], *, forward: bool) -> Q:
    """Rows strictly after `values` in the order `fields` (strictly before when not `forward`)."""
    condition = Q()
    for index, name in enumerate(fields):
        column = name.lstrip("-")
        ascending = not name.startswith("-")
        lookup = "gt" if ascending == forward else "lt"
        step = Q(**{f"{column}__{lookup}": values[index]})
        for previous in fields[:index]:
            step &= Q(**{previous.lstrip("-"): values[fields.index(previous)]})
        condition |= step
    # the same bound on the first column alone, not strict: redundant, but an index range condition
    # (the OR above is only a filter), so a deep page starts its index scan at the cursor
    first = fields[0].lstrip("-")
    bound = "gte" if (not fields[0].startswith("-")) == forward else "lte"
    return Q(**{f"{first}__{bound}": values[0]}) & condition


def _reverse(fields: Sequence[str]) -> list[str]:
    return [name[1:] if name.startswith("-") else f"-{name}" for name in fields]


def keyset_page(
    rows: QuerySet[Any], fields: Sequence[str], *, after: str = "", before: str = "", size: int = PAGE_SIZE,
    count_up_to: int = COUNT_UP_TO,
) -> KeysetPage:  # fmt: skip
    """The page of `rows` in the order `fields` (non-null model fields, the last one unique) after the
    `after` cursor, or before the `before` cursor, or the first page."""
    model = rows.model
    count = rows.order_by().values("pk")[: count_up_to + 1].count()
    backward = _decode(model, fields, before) if before else None
    if backward is not None:
        page = list(
            rows.filter(_beyond(fields, backward, forward=False)).order_by(*_reverse(fields))[: size + 1]
        )
        more_before = len(page) > size
        page = list(reversed(page[:size]))
        return KeysetPage(
            rows=page, next_cursor=_encode(page[-1], fields) if page else "",
            previous_cursor=_encode(page[0], fields) if page and more_before else "", count=count,
            is_first=not more_before, more_than=count_up_to,
        )  # fmt: skip
    forward = _decode(model, fields, after) if after else None
    ordered = rows.order_by(*fields)
    page = list((ordered.filter(_beyond(fields, forward, forward=True)) if forward else ordered)[: size + 1])
    more = len(page) > size
    page = page[:size]
    return KeysetPage(
        rows=page, next_cursor=_encode(page[-1], fields) if more else "",
        previous_cursor=_encode(page[0], fields) if forward is not None and page else "", count=count,
        is_first=forward is None, more_than=count_up_to,
    )  # fmt: skip


def page_of(request: Any, rows: QuerySet[Any], fields: Sequence[str], size: int = PAGE_SIZE) -> KeysetPage:
    """`keyset_page` for the request's `after=` / `before=`."""
    return keyset_page(rows, fields, after=request.GET.get("after", ""), before=request.GET.get("before", ""),
                       size=size)  # fmt: skip

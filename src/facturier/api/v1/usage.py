"""`/api/v1/usage-events`: report metered usage (scope `usage:write`) and list it (`usage:read`).

`POST` takes ``{"events": [...]}`` (1,000 at most) and answers 200 with what happened to each: the
number accepted, the ids that were duplicates (already recorded: re-sending a batch changes nothing) and
the refused ones with their index, a stable `code` and a reason (`unknown_metric`, `unknown_customer`,
`unknown_contract`, `negative_quantity`, `invalid_quantity`, `invalid_time`, `invalid_event_id`,
`late_event`). One bad event never refuses the others (billing.usage.usage_record).
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import BaseModel

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import required_text, text
from facturier.billing.models import UsageEvent
from facturier.billing.usage import MAX_BATCH, EventData, usage_record

router = Router(tags=["usage"])


class UsageEventIn(BaseModel):
    """A plain pydantic model (no ninja resolvers): a batch holds a thousand of them."""

    event_id: required_text(100) = Field(..., description="yours, unique per company: the idempotency key")  # type: ignore[valid-type]
    metric: required_text(50) = Field(..., description="the metric's code")  # type: ignore[valid-type]
    customer: required_text(30) = Field(..., description="the customer's code")  # type: ignore[valid-type]
    contract: text(50) = Field("", description="a contract reference, when the customer has several")  # type: ignore[valid-type]
    quantity: Decimal = Field(..., description="not negative; 6 decimals at most")
    occurred_at: dt.datetime = Field(..., description="ISO 8601 with its offset")
    dimension: text(200) = Field("", description="what a unique count counts (e.g. a user id)")  # type: ignore[valid-type]


class BatchIn(Schema):
    events: list[UsageEventIn] = Field(..., max_length=MAX_BATCH)


class RefusedOut(Schema):
    index: int
    event_id: str
    code: str
    reason: str


class BatchOut(Schema):
    accepted: int
    duplicates: list[str]
    refused: list[RefusedOut]


class UsageEventOut(Schema):
    id: uuid.UUID
    event_id: str
    metric: str
    customer: str
    quantity: Decimal
    occurred_at: dt.datetime
    dimension: str
    created_at: dt.datetime

    @staticmethod
    def resolve_metric(event: UsageEvent) -> str:
        return event.metric.code

    @staticmethod
    def resolve_customer(event: UsageEvent) -> str:
        return event.customer.code


class EventsPageOut(Schema):
    items: list[UsageEventOut]
    next: str | None = None


class EventFilters(Schema):
    metric: text(50) | None = None  # type: ignore[valid-type]
    customer: text(30) | None = None  # type: ignore[valid-type]
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


@router.post("/usage-events", response=BatchOut, operation_id="usage_events_record")
def usage_events_record(request: HttpRequest, payload: BatchIn) -> dict[str, Any]:
    key = require_scope(request, "usage:write")
    events = [EventData(e.event_id, e.metric, e.customer, e.quantity, e.occurred_at, e.contract, e.dimension)
              for e in payload.events]  # fmt: skip
    return usage_record(entity=entity_of(request), by=as_actor(key), events=events).as_dict()


@router.get("/usage-events", response=EventsPageOut, operation_id="usage_events_list")
def usage_events_list(request: HttpRequest, filters: Query[EventFilters]) -> dict[str, Any]:
    require_scope(request, "usage:read")
    rows = UsageEvent.objects.filter(entity=entity_of(request)).select_related("metric", "customer")
    if filters.metric:
        rows = rows.filter(metric__code=filters.metric)
    if filters.customer:
        rows = rows.filter(customer__code=filters.customer)
    page = paginate(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}

"""`/api/v1/payments`: list, read, record (with allocations), allocate, unallocate, reverse, refund.

Scopes `payments:read` and `payments:write`; the rules live in `payments.services` and `payments.credit`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StrictBool

from facturier.accounts.actor import as_actor
from facturier.accounts.models import LegalEntity
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.pagination import DEFAULT_LIMIT, Cursor, Limit, paginate
from facturier.api.v1.types import (
    CurrencyIn,
    DateIn,
    DecimalOut,
    required_text,
    text,
)
from facturier.api.v1.types import (
    PositiveAmountIn as AmountIn,
)
from facturier.common.errors import ValidationFailed
from facturier.common.lookup import get_visible
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.services.common import entity_today
from facturier.parties.selectors import customer_get
from facturier.payments import credit, selectors, services
from facturier.payments.models import Allocation, Method, OpenItem, Payment

router = Router(tags=["payments"])

MethodIn = Literal[
    "transfer", "sepa_instant", "direct_debit", "card", "paypal", "cheque", "cash", "compensation"
]
StateIn = Literal["unallocated", "allocated", "refund", "reversed"]


class AllocationIn(Schema):
    model_config = ConfigDict(extra="forbid")

    document: uuid.UUID | None = Field(None, description="an issued invoice of the payment's customer")
    open_item: uuid.UUID | None = Field(None, description="an imported open item (instead of `document`)")
    amount: AmountIn
    write_off_difference: StrictBool = Field(
        False, description="close the invoice, the rest of its balance written off as an exchange difference"
    )


class PaymentCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: uuid.UUID
    amount: AmountIn = Field(description="over 0; refunds go through `/payments/refunds`")
    received_on: DateIn
    currency: CurrencyIn | None = Field(None, description="ISO 4217; default: the company's currency")
    method: MethodIn = "transfer"
    reference: text(140) = ""  # type: ignore[valid-type]
    payer: text(200) = ""  # type: ignore[valid-type]
    allocations: list[AllocationIn] = Field(default_factory=list, max_length=500)


class RefundIn(Schema):
    model_config = ConfigDict(extra="forbid")

    customer: uuid.UUID
    amount: AmountIn = Field(description="the amount given back, over 0 (stored as a negative payment)")
    refunded_on: DateIn
    currency: CurrencyIn | None = None
    invoice: uuid.UUID | None = Field(None, description="an overpaid invoice the refund settles")
    method: MethodIn = "transfer"
    reference: text(140) = ""  # type: ignore[valid-type]


class ReverseIn(Schema):
    model_config = ConfigDict(extra="forbid")

    reason: required_text(200)  # type: ignore[valid-type]


class AllocationOut(Schema):
    id: uuid.UUID
    document: uuid.UUID | None
    document_number: str
    open_item: uuid.UUID | None
    amount: DecimalOut
    exchange_difference: DecimalOut
    created_at: dt.datetime

    @staticmethod
    def resolve_document(obj: Allocation) -> uuid.UUID | None:
        return obj.document_id

    @staticmethod
    def resolve_open_item(obj: Allocation) -> uuid.UUID | None:
        return obj.open_item_id

    @staticmethod
    def resolve_document_number(obj: Allocation) -> str:
        target = obj.document or obj.open_item
        return str(getattr(target, "number", ""))

    @staticmethod
    def resolve_exchange_difference(obj: Allocation) -> Any:
        return obj.difference


class PaymentOut(Schema):
    id: uuid.UUID
    customer: uuid.UUID
    customer_name: str
    received_on: dt.date
    amount: DecimalOut
    currency: str
    method: str
    reference: str
    payer: str
    allocated: DecimalOut
    unallocated: DecimalOut
    is_refund: bool
    credit_note: uuid.UUID | None
    reversed_at: dt.datetime | None
    reversal_reason: str
    allocations: list[AllocationOut]
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj: Payment) -> uuid.UUID:
        return obj.customer_id

    @staticmethod
    def resolve_customer_name(obj: Payment) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_credit_note(obj: Payment) -> uuid.UUID | None:
        return obj.credit_note_id

    @staticmethod
    def resolve_allocations(obj: Payment) -> list[Allocation]:
        return list(selectors.allocations_of(obj))

    @staticmethod
    def resolve_allocated(obj: Payment) -> Any:
        return sum((a.amount for a in obj.allocations.all()), start=type(obj.amount)(0))

    @staticmethod
    def resolve_unallocated(obj: Payment) -> Any:
        if obj.is_reversed:
            return type(obj.amount)(0)
        return obj.amount - sum((a.amount for a in obj.allocations.all()), start=type(obj.amount)(0))


class PaymentPageOut(Schema):
    items: list[PaymentOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class PaymentFilters(Schema):
    customer: uuid.UUID | None = None
    method: MethodIn | None = None
    state: StateIn | None = Field(None, description="unallocated (credit left), allocated, refund, reversed")
    received_from: DateIn | None = None
    received_to: DateIn | None = None
    search: text(200) = Field("", description="bank reference, payer or customer name")  # type: ignore[valid-type]
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


class ReceivablesOut(Schema):
    currency: str
    outstanding: DecimalOut
    overdue: DecimalOut
    overdue_count: int
    aged: dict[str, DecimalOut] = Field(description="not_due, 1_30, 31_60, 61_90, over_90 (days past due)")


class ReceivablesFilters(Schema):
    customer: uuid.UUID | None = None
    on: DateIn | None = Field(None, description="the day the ages are counted from; default: today")


class OpenItemOut(Schema):
    id: uuid.UUID
    number: str
    customer: uuid.UUID
    issue_date: dt.date
    due_date: dt.date
    amount: DecimalOut
    currency: str
    rf_reference: str
    balance: DecimalOut
    created_at: dt.datetime

    @staticmethod
    def resolve_customer(obj: OpenItem) -> uuid.UUID:
        return obj.customer_id

    @staticmethod
    def resolve_balance(obj: OpenItem) -> Decimal:
        return Decimal(getattr(obj, "balance", obj.amount)).quantize(Decimal("0.01"))


class OpenItemPageOut(Schema):
    items: list[OpenItemOut]
    next: str | None = Field(None, description="URL of the next page; absent on the last page")


class OpenItemFilters(Schema):
    customer: uuid.UUID | None = None
    cursor: Cursor | None = None
    limit: Limit = DEFAULT_LIMIT


def _target(entity: LegalEntity, allocation: AllocationIn) -> Document | OpenItem:
    if (allocation.document is None) == (allocation.open_item is None):
        raise ValidationFailed(
            _("Give either a document or an open item."), field="allocations", code="invalid_allocation"
        )
    if allocation.open_item is not None:
        item: OpenItem = get_visible(
            OpenItem.objects.filter(entity=entity), allocation.open_item, message=_("Unknown open item."),
            code="open_item_not_found", field="open_item",
        )  # fmt: skip
        return item
    return _invoice(entity, allocation.document)


def _invoice(entity: LegalEntity, pk: uuid.UUID | None) -> Document:
    documents = Document.objects.filter(entity=entity, kind=Kind.INVOICE).select_related("entity", "customer")
    document: Document = get_visible(
        documents, str(pk), message=_("Unknown document."), code="document_not_found", field="document"
    )
    return document


def _payment(request: HttpRequest, payment_id: str) -> Payment:
    return selectors.payment_get(entity=entity_of(request), pk=payment_id)


@router.get("/receivables", response=ReceivablesOut, operation_id="receivables_read")
def receivables_read(request: HttpRequest, filters: Query[ReceivablesFilters]) -> dict[str, object]:
    """Outstanding, overdue and the aged balance: issued invoices and imported open items."""
    require_scope(request, "payments:read")
    entity = entity_of(request)
    customer = customer_get(entity=entity, pk=filters.customer) if filters.customer else None
    figures = selectors.receivables_of(entity, filters.on or entity_today(entity), customer=customer)
    return {
        "currency": entity.default_currency, "outstanding": figures.outstanding, "overdue": figures.overdue,
        "overdue_count": figures.overdue_count, "aged": figures.aged,
    }  # fmt: skip


@router.get("/open-items", response=OpenItemPageOut, operation_id="open_items_list")
def open_items_list(request: HttpRequest, filters: Query[OpenItemFilters]) -> dict[str, object]:
    """Unpaid invoices imported from the previous tool (`facturier import-open-items`) still owed."""
    require_scope(request, "payments:read")
    entity = entity_of(request)
    customer = customer_get(entity=entity, pk=filters.customer) if filters.customer else None
    items = selectors.imported_open_items(entity, customer=customer)
    page = paginate(request, items, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.get("/payments", response=PaymentPageOut, operation_id="payments_list")
def payments_list(request: HttpRequest, filters: Query[PaymentFilters]) -> dict[str, object]:
    require_scope(request, "payments:read")
    entity = entity_of(request)
    customer = customer_get(entity=entity, pk=filters.customer) if filters.customer else None
    payments = selectors.payment_list(
        entity=entity, customer=customer, method=filters.method or "", state=filters.state or "",
        received_from=filters.received_from, received_to=filters.received_to, search=filters.search,
    ).prefetch_related("allocations__document", "allocations__open_item")  # fmt: skip
    page = paginate(request, payments, cursor=filters.cursor, limit=filters.limit)
    return {"items": page.items, "next": page.next}


@router.post("/payments", response={201: PaymentOut}, operation_id="payments_create")
def payments_create(request: HttpRequest, payload: PaymentCreateIn) -> Status[Payment]:
    key = require_scope(request, "payments:write")
    entity = entity_of(request)
    customer = customer_get(entity=entity, pk=payload.customer)
    allocations: list[services.AllocationRequest] = [
        (_target(entity, a), a.amount, a.write_off_difference) for a in payload.allocations
    ]
    payment = services.payment_record(
        entity=entity, customer=customer, amount=payload.amount, received_on=payload.received_on, by=as_actor(key),
        currency=payload.currency, method=payload.method or Method.TRANSFER, reference=payload.reference,
        payer=payload.payer, allocations=allocations,
    )  # fmt: skip
    return Status(201, _payment(request, str(payment.pk)))


@router.post("/payments/refunds", response={201: PaymentOut}, operation_id="payments_refund")
def payments_refund(request: HttpRequest, payload: RefundIn) -> Status[Payment]:
    key = require_scope(request, "payments:write")
    entity = entity_of(request)
    customer = customer_get(entity=entity, pk=payload.customer)
    invoice = _invoice(entity, payload.invoice) if payload.invoice else None
    refund = credit.payment_refund(
        customer=customer, amount=payload.amount, refunded_on=payload.refunded_on, by=as_actor(key),
        currency=payload.currency, invoice=invoice, method=payload.method, reference=payload.reference,
    )  # fmt: skip
    return Status(201, _payment(request, str(refund.pk)))


@router.get("/payments/{payment_id}", response=PaymentOut, operation_id="payments_read")
def payments_read(request: HttpRequest, payment_id: str) -> Payment:
    require_scope(request, "payments:read")
    return _payment(request, payment_id)


@router.post(
    "/payments/{payment_id}/allocations", response={201: PaymentOut}, operation_id="payments_allocate"
)
def payments_allocate(request: HttpRequest, payment_id: str, payload: AllocationIn) -> Status[Payment]:
    key = require_scope(request, "payments:write")
    payment = _payment(request, payment_id)
    services.payment_allocate(
        payment=payment, document=_target(payment.entity, payload), amount=payload.amount, by=as_actor(key),
        write_off_difference=payload.write_off_difference,
    )  # fmt: skip
    return Status(201, _payment(request, payment_id))


@router.delete(
    "/payments/{payment_id}/allocations/{allocation_id}",
    response=PaymentOut,
    operation_id="payments_unallocate",
)
def payments_unallocate(request: HttpRequest, payment_id: str, allocation_id: str) -> Payment:
    key = require_scope(request, "payments:write")
    payment = _payment(request, payment_id)
    allocation = get_visible(
        payment.allocations.all(),
        allocation_id,
        message=_("Unknown allocation."),
        code="allocation_not_found",
    )
    services.allocation_remove(allocation=allocation, by=as_actor(key))
    return _payment(request, payment_id)


@router.post("/payments/{payment_id}/reverse", response=PaymentOut, operation_id="payments_reverse")
def payments_reverse(request: HttpRequest, payment_id: str, payload: ReverseIn) -> Payment:
    key = require_scope(request, "payments:write")
    services.payment_reverse(payment=_payment(request, payment_id), by=as_actor(key), reason=payload.reason)
    return _payment(request, payment_id)

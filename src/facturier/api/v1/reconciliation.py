"""`/api/v1/bank-lines/...` reconciliation: the `bank` scope, the services of the /bank/reconcile/ screen.

- `GET /bank-lines/unmatched`: the credit lines still to decide (proposals first), each with the engine's
  suggestion (the open items and the amount on each), its score and its reasons in words.
- `POST /bank-lines/{id}/accept`: confirm the suggestion as it stands.
- `POST /bank-lines/{id}/reject`: the suggestion is wrong (never proposed the same again).
- `POST /bank-lines/{id}/match`: match by hand, the line split over invoices / imported open items.
- `POST /bank-lines/{id}/match-payment`: the line is a payment already recorded by hand.
- `POST /bank-lines/{id}/unrelated`: not a customer's payment.
- `POST /bank-lines/{id}/undo`: undo the decision (its payment reversed, the line open again).

Reading needs `bank:read`; a decision needs `bank:write` and, as it records or reverses payments, the
`payments:write` scope too (checked by the services' `authorize`, as for every payment).
A line decided meanwhile (another clerk, another key) is a 409 `bank_line_already_decided`.
"""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import model_validator

from facturier.accounts.actor import as_actor
from facturier.api.v1.auth import entity_of, require_scope
from facturier.api.v1.bank import BankLineOut, PageFilters
from facturier.api.v1.pagination import paginate
from facturier.banking import reconciliation as services
from facturier.banking import reconciliation_selectors as selectors
from facturier.banking.models import BankLine, Reconciliation
from facturier.banking.payment_link import line_match_payment
from facturier.banking.reasons import DOCUMENT_PREFIX, OPEN_ITEM_PREFIX, describe, labels_for
from facturier.common.errors import ValidationFailed

router = Router(tags=["reconciliation"])


class SuggestedItemOut(Schema):
    item: str = Field(description="the item's key: doc:<invoice id> or open:<imported open item id>")
    kind: Literal["invoice", "open_item"]
    id: uuid.UUID
    number: str
    customer: str
    due_date: dt.date | None
    balance: Decimal = Field(description="what is still owed on it")
    currency: str
    amount: Decimal = Field(description="the part of the line the suggestion puts on it")


class UnmatchedLineOut(BankLineOut):
    suggestion: list[SuggestedItemOut]
    reasons: list[str] = Field(description="why, in words (the request's language)")
    reason_codes: list[str]

    @staticmethod
    def resolve_reasons(line: Any) -> list[str]:
        return list(line.reasons_text)


class UnmatchedPageOut(Schema):
    items: list[UnmatchedLineOut]
    next: str | None = None


class PartIn(Schema):
    """One item the line pays: `item` (a key as suggested), or `invoice` or `open_item` (an id)."""

    item: str | None = Field(None, max_length=60, pattern=r"^(doc|open):[0-9a-fA-F-]{32,36}$")
    invoice: uuid.UUID | None = None
    open_item: uuid.UUID | None = None
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)

    @model_validator(mode="after")
    def _one_target(self) -> "PartIn":
        if sum(value is not None for value in (self.item, self.invoice, self.open_item)) != 1:
            raise ValueError("give exactly one of item, invoice, open_item")
        return self

    def key(self) -> str:
        if self.invoice is not None:
            return f"{DOCUMENT_PREFIX}{self.invoice}"
        if self.open_item is not None:
            return f"{OPEN_ITEM_PREFIX}{self.open_item}"
        return str(self.item)


class MatchIn(Schema):
    parts: list[PartIn] = Field(min_length=1, max_length=50)
    write_off: Literal["", "fee", "writeoff"] = Field(
        "", description="how a shortfall within the company's tolerance is settled (empty: refused)"
    )


class MatchPaymentIn(Schema):
    payment: uuid.UUID = Field(description="a payment recorded before, of the line's amount and currency")


class DecisionOut(Schema):
    line: UnmatchedLineOut
    decision: str | None = Field(None, description="auto, manual or unrelated; null for a reject or an undo")
    payment_id: uuid.UUID | None = None
    fee_amount: Decimal = Decimal(0)
    writeoff_amount: Decimal = Decimal(0)
    credit_amount: Decimal = Decimal(0)


def _explained(lines: list[BankLine]) -> list[BankLine]:
    """The lines as `UnmatchedLineOut`: suggestion rows and reasons in words (three queries a page)."""
    labels = labels_for([line.reasons for line in lines])
    rows = []
    for line in lines:
        amounts = {part["item_key"]: Decimal(part["amount"]) for part in line.proposed_allocations}
        suggestion = [
            {
                "item": candidate.key,
                "id": candidate.key.split(":", 1)[1],
                "number": candidate.number,
                "kind": "invoice" if candidate.key.startswith(DOCUMENT_PREFIX) else "open_item",
                "customer": candidate.customer,
                "due_date": candidate.due_date,
                "balance": candidate.balance,
                "currency": candidate.currency,
                "amount": amounts[candidate.key],
            }  # fmt: skip
            for candidate in selectors.candidates_for(entity=line.entity, keys=list(amounts))
        ]
        line.suggestion = suggestion  # type: ignore[attr-defined]
        line.reason_codes = [reason["code"] for reason in line.reasons]  # type: ignore[attr-defined]
        line.reasons_text = [describe(reason, labels) for reason in line.reasons]  # type: ignore[attr-defined]
        rows.append(line)
    return rows


def _decided(line: BankLine, reconciliation: Reconciliation | None) -> dict[str, Any]:
    fresh = selectors.line_get(entity=line.entity, pk=line.pk)
    body: dict[str, Any] = {"line": _explained([fresh])[0]}
    if reconciliation is not None:
        body.update(
            decision=reconciliation.decision, payment_id=reconciliation.payment_id,
            fee_amount=reconciliation.fee_amount, writeoff_amount=reconciliation.writeoff_amount,
            credit_amount=reconciliation.credit_amount,
        )  # fmt: skip
    return body


def _line(request: HttpRequest, line_id: uuid.UUID) -> BankLine:
    return selectors.line_get(entity=entity_of(request), pk=line_id)


@router.get("/bank-lines/unmatched", response=UnmatchedPageOut, operation_id="bank_lines_unmatched")
def bank_lines_unmatched(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """The credit lines left to reconcile (unreconciled or proposed), each with the engine's suggestion."""
    require_scope(request, "bank:read")
    rows = selectors.lines_to_reconcile(entity=entity_of(request))
    page = paginate(request, rows, cursor=filters.cursor, limit=filters.limit)
    return {"items": _explained(list(page.items)), "next": page.next}


@router.post("/bank-lines/{line_id}/accept", response=DecisionOut, operation_id="bank_line_accept")
def bank_line_accept(request: HttpRequest, line_id: uuid.UUID) -> dict[str, Any]:
    """Confirm the engine's suggestion for the line as it stands (its payer is learned for the customer)."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    return _decided(line, services.proposal_accept(line=line, by=as_actor(key)))


@router.post("/bank-lines/{line_id}/reject", response=DecisionOut, operation_id="bank_line_reject")
def bank_line_reject(request: HttpRequest, line_id: uuid.UUID) -> dict[str, Any]:
    """The suggestion is wrong: the line is left to match by hand, never suggested the same again."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    return _decided(services.proposal_reject(line=line, by=as_actor(key)), None)


@router.post("/bank-lines/{line_id}/match", response=DecisionOut, operation_id="bank_line_match")
def bank_line_match(request: HttpRequest, line_id: uuid.UUID, payload: MatchIn) -> dict[str, Any]:
    """Match the line by hand: its amount split over invoices and imported open items of one customer."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    keys = [part.key() for part in payload.parts]
    if len(set(keys)) != len(keys):
        raise ValidationFailed(_("An item is given twice."), field="parts", code=services.INVALID_MATCH)
    parts = [(item, part.amount) for item, part in zip(keys, payload.parts, strict=True)]
    reconciliation = services.line_match(
        line=line, parts=parts, by=as_actor(key), write_off=payload.write_off
    )
    return _decided(line, reconciliation)


@router.post(
    "/bank-lines/{line_id}/match-payment", response=DecisionOut, operation_id="bank_line_match_payment"
)
def bank_line_match_payment(
    request: HttpRequest, line_id: uuid.UUID, payload: MatchPaymentIn
) -> dict[str, Any]:
    """Match the line to a payment already recorded by hand (no second payment; undo leaves it recorded)."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    return _decided(line, line_match_payment(line=line, payment_id=payload.payment, by=as_actor(key)))


@router.post("/bank-lines/{line_id}/unrelated", response=DecisionOut, operation_id="bank_line_unrelated")
def bank_line_unrelated(request: HttpRequest, line_id: uuid.UUID) -> dict[str, Any]:
    """Not a customer's payment (a transfer between accounts, a supplier's refund...)."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    return _decided(line, services.line_mark_unrelated(line=line, by=as_actor(key)))


@router.post("/bank-lines/{line_id}/undo", response=DecisionOut, operation_id="bank_line_undo")
def bank_line_undo(request: HttpRequest, line_id: uuid.UUID) -> dict[str, Any]:
    """Undo the line's reconciliation: its payment is reversed and the line is open again."""
    key = require_scope(request, "bank:write")
    line = _line(request, line_id)
    return _decided(services.line_undo(line=line, by=as_actor(key)), None)

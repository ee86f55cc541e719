"""What bank reconciliation (`banking`, the layer above) reads of receivables and how it settles them.

Items are named by keys: ``doc:<id>`` for an issued invoice, ``open:<id>`` for an open item imported
from the previous tool. Rows are plain dicts: ``key``, ``number``, ``customer_id``, ``customer_name``,
``balance`` (Decimal), ``currency``, ``issue_date``, ``due_date``, ``rf_reference`` (for invoices, the
RF creditor reference derived from the number as printed).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.common.errors import ValidationFailed
from facturier.domain import creditor_reference
from facturier.invoicing.models import Document
from facturier.parties.models import Customer
from facturier.payments.models import CustomerAccount, Method, OpenItem, Payment
from facturier.payments.selectors import imported_open_items, open_items
from facturier.payments.services import payment_record, payment_reverse

DOCUMENT_PREFIX = "doc:"
OPEN_ITEM_PREFIX = "open:"
CENT = Decimal("0.01")
Row = dict[str, Any]
FIELDS = ("pk", "number", "customer_id", "customer__name", "balance", "currency", "issue_date", "due_date")


def _rf(number: str) -> str:
    try:
        return creditor_reference.from_invoice_number(number)
    except creditor_reference.InvalidCreditorReference:
        return ""


def _row(prefix: str, values: dict[str, Any], rf: str) -> Row:
    return {
        "key": f"{prefix}{values['pk']}", "number": values["number"], "customer_id": values["customer_id"],
        "customer_name": values["customer__name"], "balance": Decimal(values["balance"]).quantize(CENT),
        "currency": values["currency"], "issue_date": values["issue_date"], "due_date": values["due_date"],
        "rf_reference": rf,
    }  # fmt: skip


def _rows(documents: Any, imported: Any, limit: int | None = None) -> list[Row]:
    rows = [_row(DOCUMENT_PREFIX, v, _rf(v["number"])) for v in documents.values(*FIELDS)[:limit]]
    left = None if limit is None else max(limit - len(rows), 0)
    rows += [
        _row(OPEN_ITEM_PREFIX, v, v["rf_reference"]) for v in imported.values(*FIELDS, "rf_reference")[:left]
    ]
    return rows


def _ids(keys: list[str], prefix: str) -> list[str]:
    return [key.removeprefix(prefix) for key in keys if key.startswith(prefix)]


def all_open_items(entity: LegalEntity) -> list[Row]:
    """Everything still owed to the entity, oldest due first."""
    return _rows(open_items(entity), imported_open_items(entity))


def search(entity: LegalEntity, query: str, limit: int = 25) -> list[Row]:
    documents, imported = open_items(entity), imported_open_items(entity)
    query = query.strip()
    if query:
        try:
            amount: Decimal | None = Decimal(query.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            amount = None
        text = Q(number__icontains=query) | Q(customer__name__icontains=query)
        documents = documents.filter(
            text | (Q(balance=amount) | Q(payable=amount) if amount is not None else Q())
        )
        imported = imported.filter(
            text | (Q(balance=amount) | Q(amount=amount) if amount is not None else Q())
        )
    return _rows(documents, imported, limit)


def rows_for(entity: LegalEntity, keys: list[str]) -> list[Row]:
    found = {
        row["key"]: row
        for row in _rows(
            open_items(entity).filter(pk__in=_ids(keys, DOCUMENT_PREFIX)),
            imported_open_items(entity).filter(pk__in=_ids(keys, OPEN_ITEM_PREFIX)),
        )
    }
    return [found[key] for key in keys if key in found]


def numbers(keys: list[str]) -> dict[str, str]:
    labels = {f"{DOCUMENT_PREFIX}{pk}": number for pk, number in
              Document.objects.filter(pk__in=_ids(keys, DOCUMENT_PREFIX)).values_list("pk", "number")}  # fmt: skip
    labels |= {f"{OPEN_ITEM_PREFIX}{pk}": number for pk, number in
               OpenItem.objects.filter(pk__in=_ids(keys, OPEN_ITEM_PREFIX)).values_list("pk", "number")}  # fmt: skip
    return labels


def customer_ibans(entity: LegalEntity) -> list[tuple[Any, str]]:
    return list(CustomerAccount.objects.filter(entity=entity).values_list("customer_id", "iban"))


def target(entity: LegalEntity, key: str) -> Document | OpenItem:
    """The invoice or open item a key names, of this entity only."""
    try:
        if key.startswith(DOCUMENT_PREFIX):
            return Document.objects.get(entity=entity, pk=key.removeprefix(DOCUMENT_PREFIX))
        if key.startswith(OPEN_ITEM_PREFIX):
            return OpenItem.objects.get(entity=entity, pk=key.removeprefix(OPEN_ITEM_PREFIX))
    except (Document.DoesNotExist, OpenItem.DoesNotExist, ValueError, ValidationError):
        pass
    raise ValidationFailed(_("Unknown open item."), field="items", code="invalid_match")


def record(
    *, entity: LegalEntity, customer: Customer, amount: Decimal, received_on: dt.date, by: Actor, currency: str,
    compensation: bool, reference: str, payer: str, allocations: list[tuple[Any, Decimal]],
) -> Payment:  # fmt: skip
    return payment_record(
        entity=entity, customer=customer, amount=amount, received_on=received_on, by=by, currency=currency,
        method=Method.COMPENSATION if compensation else Method.TRANSFER, reference=reference, payer=payer,
        allocations=list(allocations),
    )  # fmt: skip


def reverse(*, payment_id: Any, by: Actor, reason: str) -> None:
    """Reverse the payment unless it already is."""
    payment = Payment.objects.get(pk=payment_id)
    if not payment.is_reversed:
        payment_reverse(payment=payment, by=by, reason=reason)

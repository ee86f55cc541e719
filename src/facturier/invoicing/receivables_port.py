"""What the apps beside payments may ask of receivables, without importing payments (the layers contract).

Bank reconciliation (`banking`) reads what is owed and settles it through the payments services; the two
are siblings, so payments registers this port in ``PaymentsConfig.ready`` and banking calls it. Items are
named by keys: ``doc:<id>`` for an issued invoice, ``open:<id>`` for an open item imported from the
previous tool. Rows are plain dicts: ``key``, ``number``, ``customer_id``, ``customer_name``,
``balance`` (Decimal), ``currency``, ``issue_date``, ``due_date``, ``rf_reference``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured

Row = dict[str, Any]


@dataclass(frozen=True)
class ReceivablesPort:
    open_items: Callable[..., list[Row]]
    """open_items(entity): everything still owed to the entity, oldest due first."""
    search: Callable[..., list[Row]]
    """search(entity, query, limit): open items whose customer or number contains `query`, or owing it."""
    rows_for: Callable[..., list[Row]]
    """rows_for(entity, keys): the open items named, still open, in the keys' order."""
    numbers: Callable[..., dict[str, str]]
    """numbers(keys): item key -> invoice number, open or not."""
    customer_ibans: Callable[..., list[tuple[Any, str]]]
    """customer_ibans(entity): (customer id, IBAN) the customers are known to pay from."""
    target: Callable[..., Any]
    """target(entity, key): the invoice or open item (with `customer_id`), or ValidationFailed."""
    record: Callable[..., Any]
    """record(entity=, customer=, amount=, received_on=, by=, currency=, compensation=, reference=, payer=,
    allocations=[(target, amount)]): a payment recorded and allocated (payments.services)."""
    reverse: Callable[..., None]
    """reverse(payment_id=, by=, reason=): reverse the payment unless it already is."""


_port: list[ReceivablesPort] = []


def register_receivables_port(port: ReceivablesPort) -> None:
    _port[:] = [port]


def receivables_port() -> ReceivablesPort:
    if not _port:
        raise ImproperlyConfigured("No receivables port: is facturier.payments in INSTALLED_APPS?")
    return _port[0]

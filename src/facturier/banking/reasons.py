"""The engine's reasons in words (English source, translated): what the clerk and the export read.

Reasons are stored as codes with parameters (`domain.reconciliation`'s list); customers and items are
named by keys, turned into names and invoice numbers by `labels_for` (two queries for a page of lines).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from facturier.parties.models import Customer
from facturier.payments import reconcilable

DOCUMENT_PREFIX = "doc:"
OPEN_ITEM_PREFIX = "open:"


def _texts() -> dict[str, str]:
    return {
        "rf_reference": _("the RF creditor reference of %(number)s"),
        "reference_exact": _("the invoice number %(number)s"),
        "reference_normalised": _("the invoice number %(number)s, written differently (%(text)s)"),
        "reference_fuzzy": _("a reference close to %(number)s (%(text)s)"),
        "amount_exact": _("the exact amount owed (%(amount)s)"),
        "amount_within_tolerance": _("%(difference)s more than owed, within tolerance"),
        "amount_writeoff": _("%(difference)s short of %(open)s: a small difference to write off"),
        "amount_fee": _("%(difference)s short of %(open)s: bank fees"),
        "partial_payment": _("a partial payment of %(amount)s on %(open)s owed"),
        "overpayment": _("%(difference)s more than the %(open)s owed (customer credit)"),
        "grouped_payment": _("one transfer paying %(count)s invoices"),
        "amount_unique_for_customer": _("the only amount of this size owed by %(customer)s"),
        "iban_known": _("an IBAN %(customer)s paid from before"),
        "name_match": _("the payer is %(customer)s"),
        "name_alias": _("a payer name learned for %(customer)s"),
        "name_similar": _("a payer name similar to %(customer)s"),
        "iban_other_customer": _("the IBAN is known for another customer (%(customers)s)"),
        "paid_before_issue": _("paid before the invoice was issued (%(date)s)"),
        "ambiguous": _("ambiguous: several candidates as likely (%(candidates)s)"),
        "item_already_allocated": _("already paid by another line (%(items)s)"),
        "no_candidate": _("no open item matches"),
        "not_a_credit": _("money out: not a customer's payment"),
        "proposal_rejected": _("a proposal was rejected: decide by hand"),
        "payment_linked": _("a payment recorded before the statement came"),
        "direct_debit_returned": _("direct debit of %(invoice)s returned by the bank (%(reason)s)"),
    }


def _keys_in(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _keys_in(item)


def labels_for(reasons_lists: Iterable[list[dict[str, Any]]]) -> dict[str, str]:
    """Names of the customers and numbers of the items the reasons refer to (by key)."""
    keys: set[str] = set()
    for reasons in reasons_lists:
        for reason in reasons:
            for value in (reason.get("params") or {}).values():
                keys.update(_keys_in(value))
    items = [key for key in keys if key.startswith((DOCUMENT_PREFIX, OPEN_ITEM_PREFIX))]
    customers = [key for key in keys if len(key) == 36 and ":" not in key]  # noqa: PLR2004 - a UUID
    labels: dict[str, str] = reconcilable.numbers(items) if items else {}
    labels |= {
        str(pk): name for pk, name in Customer.objects.filter(pk__in=customers).values_list("pk", "name")
    }
    return labels


def _label(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_label(item, labels) for item in value)
    if isinstance(value, float):
        return f"{value:.0%}"
    return labels.get(str(value), str(value))


class _Params(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(reason: dict[str, Any], labels: dict[str, str] | None = None) -> str:
    """One reason in words, in the active language."""
    labels = labels or {}
    text = _texts().get(reason.get("code", ""))
    if text is None:
        return str(reason.get("code", ""))
    params = _Params({key: _label(value, labels) for key, value in (reason.get("params") or {}).items()})
    return text % params


def describe_all(reasons: list[dict[str, Any]], labels: dict[str, str] | None = None) -> str:
    return "; ".join(describe(reason, labels) for reason in reasons)

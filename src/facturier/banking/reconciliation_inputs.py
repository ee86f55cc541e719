"""What the reconciliation engine reads, built from the database: open items (`payments.reconcilable`),
what was learned about payers, the entity's rules, and bank lines; and its reasons made storable."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from facturier.accounts.models import LegalEntity
from facturier.banking.models import AliasKind, BankLine, PayerAlias
from facturier.banking.rules import stored_rules
from facturier.domain import reconciliation as engine
from facturier.domain.reconciliation.normalise import iban_key
from facturier.payments import reconcilable

DOCUMENT_PREFIX = "doc:"
OPEN_ITEM_PREFIX = "open:"

Target = Any  # an issued invoice or an imported open item (payments.reconcilable.target)


def rules_of(entity: LegalEntity) -> engine.Rules:
    """The engine's rules: the company's stored ones, else the defaults (banking.rules)."""
    return stored_rules(entity).rules()


def item_key(target: Target) -> str:
    prefix = OPEN_ITEM_PREFIX if target._meta.model_name == "openitem" else DOCUMENT_PREFIX
    return f"{prefix}{target.pk}"


def engine_items(entity: LegalEntity) -> list[engine.OpenItem]:
    """Everything owed to the entity, as the engine sees it (through the receivables port)."""
    return [
        engine.OpenItem(
            key=row["key"],
            number=row["number"],
            customer_key=str(row["customer_id"]),
            customer_name=row["customer_name"],
            open_amount=row["balance"],
            currency=row["currency"],
            issue_date=row["issue_date"],
            due_date=row["due_date"],
            rf_reference=row["rf_reference"],
        )  # fmt: skip
        for row in reconcilable.all_open_items(entity)
    ]


def engine_hints(entity: LegalEntity) -> list[engine.CustomerHints]:
    """Learned payer names and IBANs per customer, with the IBANs customers are known to pay from."""
    ibans: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for customer, kind, value in PayerAlias.objects.filter(entity=entity).values_list(
        "customer_id", "kind", "value"
    ):
        (ibans if kind == AliasKind.IBAN else names)[str(customer)].add(value)
    for customer, iban in reconcilable.customer_ibans(entity):
        ibans[str(customer)].add(iban_key(iban))
    return [
        engine.CustomerHints(key, frozenset(ibans.get(key, ())), frozenset(names.get(key, ())))
        for key in sorted(set(ibans) | set(names))
    ]


def engine_line(line: BankLine) -> engine.BankLine:
    return engine.BankLine(
        key=str(line.pk), booking_date=line.booking_date, amount=line.amount, currency=line.currency,
        remittance=line.remittance, structured_reference=line.structured_reference,
        end_to_end_id=line.end_to_end_id, counterparty_name=line.counterparty_name,
        counterparty_iban=line.counterparty_iban,
    )  # fmt: skip


def stored_reasons(reasons: Iterable[engine.Reason]) -> list[dict[str, Any]]:
    return [{"code": reason.code, "params": plain(reason.params)} for reason in reasons]


def plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    return value

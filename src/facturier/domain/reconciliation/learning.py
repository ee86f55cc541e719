"""What a manual match teaches: the payer's IBAN and name become the customer's aliases.

The caller stores the returned hints (one row per customer) and passes them to the next
`reconcile(...)`: a payer who wrote no invoice number is then recognised by IBAN or name.
"""

from __future__ import annotations

from collections.abc import Iterable

from facturier.domain.reconciliation.normalise import iban_key, name_key
from facturier.domain.reconciliation.types import BankLine, CustomerHints


def learn(line: BankLine, customer_key: str, known: Iterable[CustomerHints] = ()) -> CustomerHints:
    """The customer's hints after the clerk matched `line` to them (merged with what was known)."""
    ibans: set[str] = set()
    names: set[str] = set()
    for hint in known:
        if hint.customer_key == customer_key:
            ibans |= hint.ibans
            names |= hint.names
    if iban_key(line.counterparty_iban):
        ibans.add(iban_key(line.counterparty_iban))
    name = " ".join(line.counterparty_name.split())
    if name_key(name) and name_key(name) not in {name_key(known_name) for known_name in names}:
        names.add(name)
    return CustomerHints(customer_key, frozenset(ibans), frozenset(names))

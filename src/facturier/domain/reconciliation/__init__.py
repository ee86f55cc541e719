"""Matching bank lines to open receivables: a pure engine (no Django), fed and stored by `banking`.

`reconcile(lines, items, hints=..., rules=...)` returns one `Match` per line; `learn(line, customer)`
gives the `CustomerHints` to store after a manual match. Reason codes and their parameters, for the
caller to put in words:

- ``rf_reference``, ``reference_exact``, ``reference_normalised``, ``reference_fuzzy``:
  ``number`` (the item's), ``text`` (what the payer wrote, compacted)
- ``amount_exact``, ``amount_within_tolerance`` (a little more), ``amount_writeoff``, ``amount_fee``,
  ``partial_payment``, ``overpayment``: ``amount``, ``open``, ``difference`` (strings)
- ``grouped_payment``: ``count``; ``amount_unique_for_customer``: ``customer``
- ``iban_known``: ``customer``; ``name_match``, ``name_alias``, ``name_similar``: ``customer``, ``similarity``;
  ``iban_other_customer``: ``customers``
- ``paid_before_issue``: ``date``; ``ambiguous``: ``candidates`` (lists of item keys);
  ``item_already_allocated``: ``items``; ``no_candidate``; ``not_a_credit``
"""

from facturier.domain.reconciliation.engine import reconcile
from facturier.domain.reconciliation.learning import learn
from facturier.domain.reconciliation.types import (
    Allocation,
    BankLine,
    CustomerHints,
    Match,
    OpenItem,
    Reason,
    Rules,
    Status,
)

__all__ = [
    "Allocation",
    "BankLine",
    "CustomerHints",
    "Match",
    "OpenItem",
    "Reason",
    "Rules",
    "Status",
    "learn",
    "reconcile",
]

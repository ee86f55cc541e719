"""Matching bank lines to open receivables: a pure engine (no Django), fed and stored by `banking`."""

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

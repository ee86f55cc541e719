"""What a billing run bills besides contracts: the sources the apps above register.

A billing run bills every contract (`billing.compute`), then asks each registered source what else is
due at the run's date: a project's milestones reached and its deposits (`projects`), the situations of a
construction contract (`construction`), approved time and expenses (`timesheets`). The apps above
register in their ``AppConfig.ready`` (billing is below them: it never imports them).

A source owns its exactly-once guarantee: ``bill`` claims its item (a unique row written in the caller's
transaction, like `BilledPeriod` for contract periods) and returns None when the item was already billed,
so a run resumed after a crash, or two runs at once, never bill it twice. The run issues the draft
``bill`` returns (or keeps it as a draft when the company requires approval) and reports a source's
`BusinessError` with its reason, as it does for contracts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from facturier.accounts.actor import Actor
    from facturier.accounts.models import LegalEntity
    from facturier.invoicing.models import Document


@dataclass(frozen=True)
class PendingBill:
    """One thing a source would bill at the run's date (what the preview shows)."""

    source: str  # the registering source's key
    key: str  # unique within the source: what its claim is keyed on (e.g. the milestone id)
    customer: str  # the customer's name, for the preview
    description: str
    net_amount: Decimal  # excluding VAT, in `currency`
    currency: str
    payload: Any = None  # whatever the source needs back in `bill`


class BillingSource(Protocol):
    key: str  # "milestones", "situations", "time"
    label: str  # shown in the preview (translated lazily)

    def pending(self, entity: LegalEntity, day: dt.date) -> Iterable[PendingBill]:
        """What is due on ``day`` and not billed yet (reads only)."""
        ...

    def bill(self, pending: PendingBill, *, day: dt.date, by: Actor) -> Document | None:
        """Claim ``pending`` and create its draft invoice in the caller's transaction; None when it was
        already billed (by an earlier or a concurrent run)."""
        ...


_sources: dict[str, BillingSource] = {}


def register_source(source: BillingSource) -> None:
    """Called once per source from an app's ``ready``; registering a key again replaces it (reloads)."""
    _sources[source.key] = source


def billing_sources() -> list[BillingSource]:
    """The registered sources in registration order (the order of INSTALLED_APPS)."""
    return list(_sources.values())

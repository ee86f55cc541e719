"""The draft side of a billing run's batch, in bulk (`execution.RunBiller.handle_many`).

For each contract of the batch, what `runs.bill_contract` would write is first computed in Python,
nothing written: its due periods and, for each one with lines, its draft invoice (`drafts_many.draft_build`:
the lines resolved and checked, the EN 16931 totals, exactly as `document_create` builds them). A
contract that needs more than drafts and claims (a price revision due, differences of billed periods to
settle, credits exceeding the charges) or whose computation fails is left out: the caller bills it one by
one as before (`execution.RunBiller._bill`), which reports its error. The drafts of the others are then
written together (`drafts_many.drafts_create_many`: one insert per table, their audit events appended
at once) and their claims (`BilledPeriod`, unique per contract and period) by one insert, in one
savepoint: when any of it fails (a period claimed meanwhile by another run, a database error) the
savepoint is rolled back and the caller bills every contract of the batch one by one instead. The
drafts are then handed to `runs._issue` in the contracts' order, as `bill_contract` hands them, and
issued with the rest of the batch (`batches.issue_together`); all of it commits or rolls back with the
batch's transaction.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction

from facturier.accounts.actor import Actor
from facturier.billing.compute import DuePeriod, due_periods, pending_adjustments
from facturier.billing.indexation import revisions_due
from facturier.billing.models import BilledPeriod, BillingRun, Contract
from facturier.billing.runs import Deferred, _issue, invoice_parts, period_note
from facturier.invoicing.services.drafts_many import DraftRows, draft_build, drafts_create_many

logger = logging.getLogger(__name__)


def enabled() -> bool:
    """``FACTURIER_BILLING_BULK_DRAFTS`` (default on): off, every contract is billed one by one."""
    return bool(getattr(settings, "FACTURIER_BILLING_BULK_DRAFTS", True))


@dataclass
class _Planned:
    contract: Contract
    claims: list[tuple[DuePeriod, DraftRows | None]]  # each due period and its draft (None: no lines)


def _plan(contract: Contract, day: dt.date, by: Actor) -> _Planned | None:
    """What `bill_contract` would write for ``contract``, when that is only claims and drafts; else None."""
    if revisions_due(contract, day):
        return None
    dues = due_periods(contract, day)
    if any(due.adjusted or (due.lines and due.total < 0) for due in dues):
        return None  # differences settled on the invoice, or credits over the charges: one by one
    if not dues and pending_adjustments(contract, day):
        return None  # (with due periods and none adjusted, nothing billed has changed: nothing pending)
    claims: list[tuple[DuePeriod, DraftRows | None]] = []
    for due in dues:
        draft = None
        if due.lines:
            lines, credits = invoice_parts(contract, due.lines)
            draft = draft_build(
                entity=contract.entity, customer=contract.customer, by=by, lines=lines,
                allowances_charges=credits, currency=contract.currency,
                note=period_note(contract, due.period.start, due.period.last_day),
            )  # fmt: skip
        claims.append((due, draft))
    return _Planned(contract, claims)


def bill_in_bulk(
    run: BillingRun, contracts: list[tuple[str, Contract]], by: Actor
) -> dict[str, tuple[dict[str, list[Any]], list[Deferred]]]:
    """Bill the contracts (chunk key, contract) that need only claims and drafts, all at once (caller's
    transaction). Returns, for each contract billed, its results (as `bill_contract` returns them) and
    its drafts to issue; the contracts missing from it are the caller's to bill one by one."""
    day = run.run_date
    planned: dict[str, _Planned] = {}
    try:
        with transaction.atomic():
            for key, contract in contracts:
                try:
                    found = _plan(contract, day, by)
                except DatabaseError:
                    raise
                except Exception:  # noqa: BLE001 - billed one by one, which reports it
                    found = None
                if found is not None:
                    planned[key] = found
            drafts = [draft for each in planned.values() for _due, draft in each.claims if draft is not None]
            drafts_create_many(drafts=drafts, by=by)
            BilledPeriod.objects.bulk_create(
                BilledPeriod(contract=each.contract, period_start=due.period.start, period_end=due.period.end,
                             billing_run=run, amounts=due.amounts, document=draft.document if draft else None)
                for each in planned.values() for due, draft in each.claims
            )  # fmt: skip
    except Exception:
        logger.warning("billing %d contracts in bulk failed, billing them one by one", len(contracts),
                       exc_info=True)  # fmt: skip
        return {}
    billed: dict[str, tuple[dict[str, list[Any]], list[Deferred]]] = {}
    for key, each in planned.items():
        done: dict[str, list[Any]] = {"invoices": [], "credit_notes": [], "drafts": [], "errors": []}
        kept: list[Deferred] = []
        for _due, draft in each.claims:
            if draft is not None:
                _issue(each.contract, draft.document, by, done, "invoices", day=day, later=kept)
        billed[key] = (done, kept)
    return billed

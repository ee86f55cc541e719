"""Executing a billing run: its contracts are billed by every worker at once, a batch per transaction.

The run is a job run whose chunks are its contracts (one chunk per contract, plus one per item of the
registered sources): planned once, then claimed a batch at a time (``FACTURIER_BILLING_BATCH`` chunks)
with ``SKIP LOCKED`` by the worker executing the run and by the helper tasks it queues
(``billing.tasks.help_billing_run``), on as many worker processes as there are. A batch is billed in one
transaction: its contracts loaded in bulk (items, customers, billed periods), their claims
(`BilledPeriod`, unique per contract and period) and drafts computed in Python and written together
(`billing.bulk_drafts`: one insert per table), a contract that needs more (or fails) billed in its own
savepoint (one contract's error never stops the others), then the drafts issued together, by series
(`billing.batches`: one numbering lock and one counter update per batch and series), and the chunks' results
(`BillingRunChunk`) and "done" marks written. All of it commits together, so:
- a period is invoiced exactly once, even by two runs at the same time (the unique claim);
- a killed worker's batch (its transaction rolled back, its locks released) is billed by another;
- numbers stay gapless and chronological per series: a batch takes them at its end, under the lock.
The run's ``results`` are gathered from the chunks' results once the last chunk is done.

A run's tasks are queued at ``PRIORITY`` (below every other task) and hand their worker back every
``FACTURIER_JOB_SLICE_SECONDS`` when a task of higher priority waits (the PDFs and emails of the invoices
just issued, a user's export): the run goes back to the queue and resumes from its pending chunks.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Prefetch

from facturier.accounts.actor import SYSTEM, Actor
from facturier.billing.models import BillingRun, BillingRunChunk, BillingRunStatus, Contract, ContractItem
from facturier.billing.runs import (
    PROGRESS,
    ClaimConflict,
    Deferred,
    _error,
    bill_contract,
    bill_pending,
    pending_of_sources,
)
from facturier.billing.sources import BillingSource, PendingBill

logger = logging.getLogger(__name__)
SOURCE_ERRORS = "sources:errors"
RESULT_KEYS = ("invoices", "credit_notes", "drafts", "errors")


_DEADLOCK_ATTEMPTS = 3
PRIORITY = -10
"""The queue priority of a billing run's tasks: the worker takes any other ready task first."""


def _is_deadlock(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "40P01"


def _batch_size() -> int:
    """Chunks (contracts) billed and issued in one transaction."""
    return max(1, int(getattr(settings, "FACTURIER_BILLING_BATCH", 25)))


def _contract_id(key: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(key)
    except ValueError:
        return None


def load_contracts(run: BillingRun, keys: list[str]) -> dict[str, Contract]:
    """The run's contracts among ``keys``, with what billing reads: customer, index, items, billed periods."""
    ids = [found for key in keys if (found := _contract_id(key)) is not None]
    contracts = (
        Contract.objects.filter(entity=run.entity, pk__in=ids)
        .select_related("customer", "index_series")
        .prefetch_related(Prefetch("items", queryset=ContractItem.objects.select_related("metric")), "billed_periods")
    )  # fmt: skip
    loaded = {}
    for contract in contracts:
        contract.entity = run.entity  # one instance for the whole batch
        loaded[str(contract.pk)] = contract
    return loaded


class RunBiller:
    """Bills the chunks of one run in this process (the run's worker, a helper, or the command line)."""

    def __init__(self, run: BillingRun, by: Actor = SYSTEM, job_run_id: int | None = None) -> None:
        self.run, self.by, self.job_run_id = run, by, job_run_id
        self.loaded: dict[str, Contract] = {}
        self.planned: list[str] = []
        self._sources: tuple[dict[str, tuple[BillingSource, PendingBill]], dict[str, list[Any]]] | None = None
        self.progress, self.seen = PROGRESS.get(), 0

    def sources(self) -> tuple[dict[str, tuple[BillingSource, PendingBill]], dict[str, list[Any]]]:
        if self._sources is None:
            errors: dict[str, list[Any]] = {"errors": []}
            pendings = {f"{source.key}:{pending.key}": (source, pending)
                        for source, pending in pending_of_sources(self.run.entity, self.run.run_date, errors)}  # fmt: skip
            self._sources = (pendings, errors)
        return self._sources

    def plan(self) -> list[str]:
        """The run's chunks: its contracts (by reference), the sources' items, and the sources' errors."""
        contracts = Contract.objects.filter(entity=self.run.entity, start_date__lte=self.run.run_date)
        pendings, errors = self.sources()
        self.planned = [*(str(pk) for pk in contracts.order_by("reference").values_list("pk", flat=True)),
                        *pendings, *([SOURCE_ERRORS] if errors["errors"] else [])]  # fmt: skip
        return self.planned

    def handle(self, key: str) -> int:
        """Bill one chunk (caller's transaction) and keep its results; the units of progress (1)."""
        return self.handle_many([key])

    def handle_many(self, keys: list[str]) -> int:
        """Bill a batch of chunks in the caller's transaction: the contracts that need only claims and
        drafts all at once (`bulk_drafts`), the others (and the sources' items) each in its savepoint,
        then the drafts issued together (`batches.issue_together`); keep each chunk's results. Units of
        progress."""
        from facturier.billing import bulk_drafts
        from facturier.billing.batches import issue_together

        self.loaded = load_contracts(self.run, keys)
        in_bulk: dict[str, tuple[dict[str, list[Any]], list[Deferred]]] = {}
        if bulk_drafts.enabled():  # the contracts needing only claims and drafts: all at once
            in_bulk = bulk_drafts.bill_in_bulk(self.run, list(self.loaded.items()), self.by)
        later: list[Deferred] = []
        results: dict[str, dict[str, list[Any]]] = {}
        for key in keys:  # the drafts kept in the chunks' order, however they were made
            if key in in_bulk:
                results[key], made = in_bulk[key]
                self.loaded.pop(key, None)
            else:
                made = []
                results[key] = self._chunk(key, made)
            later.extend(made)
        issue_together(later, self.by)
        rows = [BillingRunChunk(run=self.run, key=key, results=kept) for key, done in results.items()
                if (kept := {name: values for name, values in done.items() if values})]  # fmt: skip
        if rows:
            BillingRunChunk.objects.bulk_create(rows, ignore_conflicts=True)
        self._report(len(keys))
        return len(keys)

    def _chunk(self, key: str, later: list[Deferred]) -> dict[str, list[Any]]:
        if key == SOURCE_ERRORS:  # a chunk too, so a resumed run reports them once
            return self.sources()[1]
        if _contract_id(key) is None:
            found = self.sources()[0].get(key)
            return bill_pending(*found, self.run.run_date, self.by, later) if found is not None else {}
        return self._bill(key, self.loaded.pop(key, None), later)

    def _bill(self, key: str, contract: Contract | None, later: list[Deferred]) -> dict[str, list[Any]]:
        """Bill one contract in a savepoint, its drafts to issue added to ``later`` once it is released.
        A deadlock (PostgreSQL chose this transaction to break a lock cycle with another writer) is
        retried with the contract read again; any other error is the contract's, reported, and never
        stops the others."""
        lone = True
        for attempt in range(1, _DEADLOCK_ATTEMPTS + 1):
            if contract is None:
                return {}
            kept: list[Deferred] = []  # the drafts of this attempt: gone with its savepoint if it fails
            try:
                with transaction.atomic():
                    done = bill_contract(contract, self.run.run_date, self.run, self.by, lone_savepoint=lone,
                                         later=kept)  # fmt: skip
                later.extend(kept)
                return done
            except ClaimConflict:  # billed by another run meanwhile: again, each period in a savepoint
                lone = False
                contract = load_contracts(self.run, [key]).get(key)
            except OperationalError as error:
                if not _is_deadlock(error) or attempt == _DEADLOCK_ATTEMPTS:
                    logger.exception("billing %s failed", contract.reference)
                    return {"errors": [_error(contract, error)]}
                logger.warning("billing %s: deadlock, attempt %d, retrying", contract.reference, attempt)
                contract = load_contracts(self.run, [key]).get(key)
            except Exception as error:  # one contract never stops the others
                logger.exception("billing %s failed", contract.reference)
                return {"errors": [_error(contract, error)]}
        return {}

    def _report(self, count: int) -> None:
        self.seen += count
        if self.progress is None:
            return
        done, total = self.seen, len(self.planned)
        if self.job_run_id is not None:
            from facturier.jobs.models import JobRun

            done, total = JobRun.objects.values_list("done", "total").get(pk=self.job_run_id)
            done += count  # this batch, not committed yet
        self.progress(done, total)


def finish(run: BillingRun) -> dict[str, Any]:
    """Gather the chunks' results into the run and set its status (idempotent: rebuilt from the chunks)."""
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        results: dict[str, Any] = {name: [] for name in RESULT_KEYS}
        if "preview" in (locked.results or {}):
            results["preview"] = locked.results["preview"]
        for kept in (
            BillingRunChunk.objects.filter(run=locked).order_by("pk").values_list("results", flat=True)
        ):
            for name, values in kept.items():
                results.setdefault(name, []).extend(values)
        locked.results = results
        locked.status = BillingRunStatus.FAILED if results["errors"] else BillingRunStatus.DONE
        locked.save(update_fields=["results", "status", "updated_at"])
    run.results, run.status = locked.results, locked.status
    return {"invoices": len(results["invoices"]), "errors": len(results["errors"])}


def _queue_helpers(run: BillingRun, job_run_id: int, chunks: int) -> None:
    """Helpers for the other workers: as many as configured, when there is enough work to share."""
    helpers = int(getattr(settings, "FACTURIER_BILLING_HELPERS", 3))
    if chunks < int(getattr(settings, "FACTURIER_BILLING_PARALLEL_FROM", 40)):
        return
    for _ in range(helpers):
        _queue_helper(run, job_run_id)


def _queue_helper(run: BillingRun, job_run_id: int) -> None:
    from facturier.billing.tasks import help_billing_run

    transaction.on_commit(lambda: help_billing_run.using(priority=PRIORITY).enqueue(str(run.pk), job_run_id))


def execute(run: BillingRun, *, job_run: Any | None = None, by: Actor = SYSTEM) -> dict[str, Any]:
    """Bill every contract of the run's entity at its date: with a job run, resumable and shared with
    helper tasks on the other workers; without, here, one contract after the other."""
    if job_run is None:
        biller = RunBiller(run, by)
        keys, size = biller.plan(), _batch_size()
        for start in range(0, len(keys), size):
            with transaction.atomic():
                biller.handle_many(keys[start : start + size])
        return finish(run)
    from facturier.jobs.models import JobChunk
    from facturier.jobs.runs import TimeSlice, plan_chunks, work_chunks

    biller = RunBiller(run, by, job_run.pk)
    with transaction.atomic():
        planned = plan_chunks(job_run, biller.plan())
        if not planned:
            biller.planned = list(JobChunk.objects.filter(run=job_run).values_list("key", flat=True))
        if (
            planned or job_run.attempts > 1
        ):  # first start, or resumed after a crash (a yield keeps its helpers)
            _queue_helpers(run, job_run.pk, len(biller.planned))
    work_chunks(job_run.pk, biller.handle, wait=True, should_yield=TimeSlice(job_run.priority),
                batch=_batch_size(), handle_many=biller.handle_many)  # fmt: skip
    return finish(run)


def help_execute(run: BillingRun, job_run_id: int, by: Actor = SYSTEM) -> int:
    """A helper's share of a run: bill the chunks nobody holds until none is left (the run's own worker
    waits for the last ones and gathers the results; so does a helper that finds everything done)."""
    from facturier.jobs.models import JobChunk
    from facturier.jobs.runs import TimeSlice, Yielded, work_chunks

    biller = RunBiller(run, by, job_run_id)
    try:
        count = work_chunks(job_run_id, biller.handle, should_yield=TimeSlice(PRIORITY), batch=_batch_size(),
                            handle_many=biller.handle_many)  # fmt: skip
    except Yielded as yielded:  # behind the waiting tasks; this helper's share resumes after them
        with transaction.atomic():
            _queue_helper(run, job_run_id)
        return int(yielded.args[0])
    if count and not JobChunk.objects.filter(run_id=job_run_id, done_at__isnull=True).exists():
        finish(run)
    return count

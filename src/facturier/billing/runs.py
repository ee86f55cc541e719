"""Billing runs: every invoice due at a date, previewed (dry run) or created and issued in chunks.

A run works in the entity's calendar (`day` is a date in its time zone). Each contract is one chunk of
a job run, billed by whichever worker claims it (`billing.execution`): its invoices, their claims
(`BilledPeriod`, unique per contract and period) and the chunk's "done" mark commit together, so a run
resumed after a crash skips finished contracts and a period is invoiced exactly once, even by two runs
at the same time (the second one's claim fails on the unique constraint and it moves on). One contract's error (a customer missing an
identifier, a currency without exchange rate) is recorded with its reason and the run goes on.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from facturier.accounts.actor import SYSTEM, Actor
from facturier.accounts.models import LegalEntity
from facturier.billing import errors
from facturier.billing.compute import DueLine, DuePeriod, due_periods, pending_adjustments
from facturier.billing.indexation import apply_revisions, revisions_due
from facturier.billing.models import BilledPeriod, BillingRun, BillingRunStatus, Contract
from facturier.billing.sources import BillingSource, PendingBill, billing_sources
from facturier.common.errors import BusinessError, Conflict
from facturier.domain.billing.periods import InvalidFrequency
from facturier.domain.billing.pricing import InvalidTiers
from facturier.invoicing.models import Document, NumberingSeries, TypeCode
from facturier.invoicing.services import (
    AllowanceChargeData,
    LineData,
    credit_note_create,
    document_create,
    invoice_issue,
)
from facturier.invoicing.services.common import entity_today

logger = logging.getLogger(__name__)
TASK = "facturier.billing.tasks.execute_billing_run"
PROGRESS: ContextVar[Callable[[int, int], None] | None] = ContextVar("billing_progress", default=None)
"""Set by the command line to draw its progress bar: called with (contracts done, total) after each one."""


class BillingProblem(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def contracts_to_bill(entity: LegalEntity, day: dt.date) -> list[Contract]:
    """Contracts that may owe something on ``day`` (started; not ended before any unbilled period)."""
    return list(
        Contract.objects.filter(entity=entity)
        .filter(start_date__lte=day)
        .select_related("customer", "entity", "index_series")
        .order_by("reference")
    )


def _error(contract: Contract, error: Exception, period: DuePeriod | None = None) -> dict[str, Any]:
    code = getattr(error, "code", errors.BILLING_FAILED)
    if isinstance(error, InvalidFrequency):
        code = errors.INVALID_FREQUENCY
    elif isinstance(error, InvalidTiers):
        code = errors.INVALID_TIERS
    found: dict[str, Any] = {"contract": contract.reference, "code": str(code), "reason": str(error)}
    if period is not None:
        found["period"] = [str(period.period.start), str(period.period.last_day)]
    return found


def _summary(due: DuePeriod) -> dict[str, Any]:
    return {
        "contract": due.contract.reference, "customer": due.contract.customer.name,
        "period": [str(due.period.start), str(due.period.last_day)], "billing_date": str(due.billing_date),
        "total": str(due.total), "currency": due.contract.currency,
        "lines": [{"description": line.description, "amount": str(line.amount)} for line in due.lines],
    }  # fmt: skip


def _anomalies(dues: list[DuePeriod]) -> list[dict[str, str]]:
    found = []
    if len(dues) > 1:
        found.append({"contract": dues[0].contract.reference, "code": "backlog",
                      "reason": _("%(count)s periods are due at once.") % {"count": len(dues)}})  # fmt: skip
    for due in dues:
        if due.total < 0:
            found.append({"contract": due.contract.reference, "code": errors.NEGATIVE_TOTAL,
                          "reason": _("The credits exceed the charges: a credit note is needed.")})  # fmt: skip
    return found


def _source_error(source: BillingSource, pending: PendingBill | None, error: Exception) -> dict[str, Any]:
    found = _error_fields(error)
    found |= {"source": source.key, "contract": pending.key if pending else source.key}
    if pending is not None:
        found["item"] = pending.key
    return found


def _error_fields(error: Exception) -> dict[str, Any]:
    message = getattr(error, "message", None) or str(error)
    return {"code": str(getattr(error, "code", errors.BILLING_FAILED)), "reason": str(message)}


def pending_of_sources(
    entity: LegalEntity, day: dt.date, result: dict[str, Any]
) -> list[tuple[BillingSource, PendingBill]]:
    """What every registered source would bill at ``day``; a source that fails is reported, not fatal."""
    found: list[tuple[BillingSource, PendingBill]] = []
    for source in billing_sources():
        try:
            found.extend((source, pending) for pending in source.pending(entity, day))
        except Exception as error:  # one source never hides the others
            logger.exception("billing source %s failed", source.key)
            result["errors"].append(_source_error(source, None, error))
    return found


def preview(entity: LegalEntity, day: dt.date) -> dict[str, Any]:
    """What a run at ``day`` would invoice (contracts and every registered source), without writing."""
    result: dict[str, Any] = {"invoices": [], "credit_notes": [], "pending": [], "errors": [], "anomalies": [],
                              "totals": {}}  # fmt: skip
    for source, pending in pending_of_sources(entity, day, result):
        result["pending"].append({
            "source": source.key, "label": str(source.label), "key": pending.key, "customer": pending.customer,
            "description": pending.description, "total": str(pending.net_amount), "currency": pending.currency,
        })  # fmt: skip
        totals = result["totals"]
        totals[pending.currency] = str(Decimal(totals.get(pending.currency, "0")) + pending.net_amount)
    for contract in contracts_to_bill(entity, day):
        try:
            dues = due_periods(contract, day)
        except (ValueError, ArithmeticError) as error:
            result["errors"].append(_error(contract, error))
            continue
        result["anomalies"].extend(_anomalies(dues))
        if revisions_due(contract, day):
            result["anomalies"].append({"contract": contract.reference, "code": "indexation_due", "reason": _(
                "Prices are revised on %(date)s (index %(index)s): the run applies it before billing."
            ) % {"date": contract.revision_date, "index": contract.index_series}})  # fmt: skip
        if not dues:
            for bp, lines, _amounts in pending_adjustments(contract, day):
                result["credit_notes"].append({
                    "contract": contract.reference, "period": [str(bp.period_start), str(bp.period_end)],
                    "total": str(-sum((line.amount for line in lines), Decimal(0))),
                    "lines": [{"description": line.description, "amount": str(line.amount)} for line in lines],
                })  # fmt: skip
        for due in dues:
            result["invoices"].append(_summary(due))
            totals = result["totals"]
            totals[contract.currency] = str(Decimal(totals.get(contract.currency, "0")) + due.total)
    return result


def invoice_parts(
    contract: Contract, due_lines: list[DueLine]
) -> tuple[list[LineData], list[AllowanceChargeData]]:
    """A contract's invoice: charges as lines, credits as document allowances (invoice lines are never
    negative). What `_invoice_of` creates and `billing.bulk_drafts` builds."""
    lines = [LineData(description=line.description, quantity=line.quantity, unit_price=line.unit_price,
                      unit=line.item.unit, vat_category=line.item.vat_category, vat_rate=line.item.vat_rate,
                      product=line.item.product)
             for line in due_lines if line.amount > 0]  # fmt: skip
    credits = [AllowanceChargeData(reason=_("Credit: %(line)s") % {"line": line.description}, amount=-line.amount,
                                   vat_category=line.item.vat_category, vat_rate=line.item.vat_rate)
               for line in due_lines if line.amount < 0]  # fmt: skip
    return lines, credits


def _invoice_of(contract: Contract, due_lines: list[DueLine], note: str, by: Actor) -> Document:
    """A draft invoice of the contract (`invoice_parts`)."""
    lines, credits = invoice_parts(contract, due_lines)
    return document_create(
        entity=contract.entity, kind="invoice", customer=contract.customer, by=by, lines=lines,
        allowances_charges=credits, currency=contract.currency, note=note,
    )  # fmt: skip


def _credit_note_of(contract: Contract, invoice: Document, due_lines: list[DueLine], by: Actor) -> Document:
    return credit_note_create(
        invoice=invoice, by=by, reason=_("Contract %(reference)s: unused days") % {"reference": contract.reference},
        lines=[LineData(description=line.description, quantity=Decimal(1), unit_price=-line.amount,
                        unit=line.item.unit, vat_category=line.item.vat_category,
                        vat_rate=line.item.vat_rate, product=line.item.product) for line in due_lines],
    )  # fmt: skip


def period_note(contract: Contract, start: dt.date, last_day: dt.date) -> str:
    return _("Contract %(reference)s, period %(start)s – %(end)s") % {
        "reference": contract.reference, "start": start, "end": last_day}  # fmt: skip


def _create_invoice(due: DuePeriod, run: BillingRun | None, by: Actor) -> BilledPeriod:
    """Create the period's draft and its claim (caller's savepoint). The claim, unique per contract and
    period, raises IntegrityError when the period was billed already (by an earlier or a concurrent run):
    the caller's savepoint then drops the draft too."""
    contract = due.contract
    if due.lines and due.total < 0:
        raise BillingProblem(
            _("The credits exceed the charges: a credit note is needed."), errors.NEGATIVE_TOTAL
        )
    document = None
    if due.lines:
        note = period_note(contract, due.period.start, due.period.last_day)
        document = _invoice_of(contract, due.lines, note, by)
    claim = BilledPeriod.objects.create(
        contract=contract, period_start=due.period.start, period_end=due.period.end,
        billing_run=run, amounts=due.amounts, document=document,
    )  # fmt: skip
    for start, amounts in due.adjusted.items():
        BilledPeriod.objects.filter(contract=contract, period_start=start).update(amounts=amounts)
    return claim


@dataclass
class Deferred:
    """A draft to issue later, with the batch it was made in (`billing.batches.issue_together`), and what
    `_issue` needs to report it: its contract (or the source's ``origin``), the chunk's results, their key."""

    contract: Contract | None
    document: Document
    done: dict[str, list[Any]]
    key: str
    origin: dict[str, Any] | None
    day: dt.date | None


def _issue(
    contract: Contract | None,
    document: Document,
    by: Actor,
    done: dict[str, list[Any]],
    key: str,
    origin: dict[str, Any] | None = None,
    day: dt.date | None = None,
    later: list[Deferred] | None = None,
) -> None:
    """Issue a draft in a savepoint; kept as a draft (and reported) when approval is needed or issue fails.
    Dated on the run's ``day`` (`_issue_date`). ``later``: not issued now but kept there, to be issued
    with the others of its batch (`billing.batches`)."""
    if document.entity.requires_approval:
        done["drafts"].append(str(document.pk))
        return
    if later is not None:
        later.append(Deferred(contract, document, done, key, origin, day))
        return
    try:  # invoice_issue is atomic: on an error its savepoint is rolled back, the caller's work stays
        document = invoice_issue(invoice=document, by=by, issue_date=_issue_date(document, day))
    except BusinessError as error:
        done["drafts"].append(str(document.pk))
        found = (
            _error(contract, error) if contract is not None else {**_error_fields(error), **(origin or {})}
        )
        done["errors"].append({**found, "code": errors.ISSUE_FAILED, "draft": str(document.pk)})
        return
    done[key].append(document.number)


def _issue_date(document: Document, day: dt.date | None) -> dt.date | None:
    """The run's date for a run of a past day (a run of today or later: today, as usual), never before the
    last document of its series: numbering stays chronological when later invoices exist already."""
    if day is None or day >= entity_today(document.entity):
        return None
    code = "credit_note" if document.type_code == TypeCode.CREDIT_NOTE else "invoice"
    last = NumberingSeries.objects.filter(entity=document.entity, code=code).values_list(
        "last_issue_date", flat=True
    )
    latest = next(iter(last), None)
    return max(day, latest) if latest is not None else day


def bill_pending(
    source: BillingSource, pending: PendingBill, day: dt.date, by: Actor, later: list[Deferred] | None = None
) -> dict[str, list[Any]]:
    """Bill one source item: its ``bill`` claims it and makes the draft (caller's transaction, in a savepoint
    so a failure leaves nothing), then the draft is issued (or kept in ``later``, `_issue`). None from
    ``bill``: billed already, skipped."""
    done: dict[str, list[Any]] = {"invoices": [], "credit_notes": [], "drafts": [], "errors": []}
    origin = {"source": source.key, "contract": pending.key, "item": pending.key}
    try:
        with transaction.atomic():
            document = source.bill(pending, day=day, by=by)
    except Exception as error:  # one item never stops the others; the reason is reported
        if not isinstance(error, (BusinessError, ValueError, ArithmeticError)):
            logger.exception("billing source %s failed on %s", source.key, pending.key)
        done["errors"].append(_source_error(source, pending, error))
        return done
    if document is not None:
        _issue(None, document, by, done, "invoices", origin, day, later)
    return done


def _settle_pending(
    contract: Contract,
    by: Actor,
    done: dict[str, list[Any]],
    day: dt.date,
    later: list[Deferred] | None = None,
) -> None:
    """Settle the differences of billed periods that no due invoice carries (a termination or a change after
    the last invoice, or credits larger than the next invoice): credits become a credit note against the
    period's invoice, charges an adjustment invoice (credits as its allowances when the net is positive).
    Each under the billed period's row lock, so a difference is settled once."""
    for bp, lines, amounts in pending_adjustments(contract, day):
        with transaction.atomic():
            locked = BilledPeriod.objects.select_for_update().get(pk=bp.pk)
            if locked.amounts != bp.amounts:
                continue  # another run settled it meanwhile
            net = sum((line.amount for line in lines), Decimal(0))
            charges = [line for line in lines if line.amount > 0]
            credits = [line for line in lines if line.amount < 0]
            made: list[tuple[Document, str]] = []
            note = period_note(contract, bp.period_start, bp.period_end - dt.timedelta(days=1))
            if net >= 0:
                made.append((_invoice_of(contract, lines, note, by), "invoices"))
            else:
                if bp.document is None:
                    continue  # nothing was invoiced to credit
                made.append((_credit_note_of(contract, bp.document, credits, by), "credit_notes"))
                if charges:
                    made.append((_invoice_of(contract, charges, note, by), "invoices"))
            locked.amounts = amounts
            locked.save(update_fields=["amounts", "updated_at"])
        for document, key in made:
            _issue(contract, document, by, done, key, day=day, later=later)


def settle_pending(contract: Contract, by: Actor) -> dict[str, list[Any]]:
    """Settle now what changed on the contract's invoiced periods (the `immediate` proration policy)."""
    done: dict[str, list[Any]] = {"invoices": [], "credit_notes": [], "drafts": [], "errors": []}
    try:
        with transaction.atomic():
            _settle_pending(contract, by, done, entity_today(contract.entity))
    except BusinessError as error:
        done["errors"].append(_error(contract, error))
    return done


class ClaimConflict(Exception):  # noqa: N818 - a signal to the caller
    """The period was claimed by another run while this one billed it without a savepoint of its own."""


def bill_contract(
    contract: Contract,
    day: dt.date,
    run: BillingRun | None,
    by: Actor,
    *,
    lone_savepoint: bool = False,
    later: list[Deferred] | None = None,
) -> dict[str, list[Any]]:
    """Invoice every due period of one contract (each in its own savepoint) and issue the invoices (or,
    with ``later``, keep them there to be issued with the other drafts of the batch, `_issue`).

    ``lone_savepoint``: the caller holds a savepoint for this contract alone, so a single due period is
    created without one of its own (two statements less per invoice); when its claim finds the period
    billed already, ``ClaimConflict`` is raised for the caller to roll back and bill it again without."""
    done: dict[str, list[Any]] = {"invoices": [], "credit_notes": [], "drafts": [], "errors": []}
    if revisions_due(contract, day):
        try:
            with transaction.atomic():
                apply_revisions(contract, day, by)
        except BusinessError as error:
            done["errors"].append(_error(contract, error))
            return done
        getattr(contract, "_prefetched_objects_cache", {}).clear()  # the revision changed its items
    try:
        dues = due_periods(contract, day)
        if dues and dues[0].total < 0:  # the credits exceed the next invoice: settled on their own
            dues[0].lines = [line for line in dues[0].lines if not line.adjustment]
            dues[0].adjusted = {}
        if not dues or not dues[0].adjusted:
            _settle_pending(contract, by, done, day, later)
    except (ValueError, ArithmeticError, BusinessError) as error:
        done["errors"].append(_error(contract, error))
        return done
    for due in dues:
        try:
            if lone_savepoint and len(dues) == 1:
                try:
                    claim = _create_invoice(due, run, by)
                except IntegrityError as error:
                    raise ClaimConflict(contract.reference) from error
            else:
                with transaction.atomic():
                    claim = _create_invoice(due, run, by)
        except IntegrityError as error:
            if BilledPeriod.objects.filter(contract=contract, period_start=due.period.start).exists():
                continue  # billed already (the unique claim): by an earlier or a concurrent run
            done["errors"].append(_error(contract, error, due))
            break
        except (BusinessError, BillingProblem, ValueError, ArithmeticError) as error:
            done["errors"].append(_error(contract, error, due))
            break  # later periods wait: invoices of a contract stay in period order
        if claim.document is not None:
            _issue(contract, claim.document, by, done, "invoices", day=day, later=later)
    return done


def execute(run: BillingRun, *, job_run: Any | None = None, by: Actor = SYSTEM) -> dict[str, Any]:
    """Bill every contract of the run's entity at its date (billing.execution: chunked, resumable, shared
    by the workers when run as a job)."""
    from facturier.billing.execution import execute as execute_run

    return execute_run(run, job_run=job_run, by=by)


@transaction.atomic
def billing_run_start(
    *, entity: LegalEntity, day: dt.date, by: Actor, dry_run: bool = False, approval: bool = False
) -> BillingRun:
    """A billing run at ``day``: a dry run is computed now; a real one is queued as a chunked job run, or,
    with ``approval``, previewed and held (`awaiting_approval`) until `billing_run_approve`."""
    from facturier.accounts.authorization import authorize
    from facturier.accounts.roles import Action

    authorize(by, Action.ISSUE, entity)
    run = BillingRun.objects.create(entity=entity, run_date=day, dry_run=dry_run)
    if dry_run or approval:
        run.results = preview(entity, day)
        run.status = BillingRunStatus.DONE if dry_run else BillingRunStatus.AWAITING_APPROVAL
        run.save(update_fields=["results", "status", "updated_at"])
        return run
    _queue(run)
    return run


def _queue(run: BillingRun) -> None:
    from facturier.billing.execution import PRIORITY
    from facturier.jobs.runs import job_start

    job, _created = job_start(key=f"billing:{run.entity_id}:{run.run_date}:{run.pk}", task=TASK,
                              args={"billing_run": str(run.pk)}, entity=run.entity, priority=PRIORITY)  # fmt: skip
    run.job_run = job
    run.save(update_fields=["job_run", "updated_at"])


@transaction.atomic
def billing_run_approve(*, run: BillingRun, by: Actor) -> BillingRun:
    """A run held for approval goes to the workers: approved by someone allowed to issue invoices. Its
    preview is kept for the record (`results` is replaced by what the run really billed)."""
    from django.utils import timezone

    from facturier.accounts.authorization import authorize
    from facturier.accounts.roles import Action
    from facturier.audit.services import audit_record

    run = BillingRun.objects.select_for_update().select_related("entity").get(pk=run.pk)
    authorize(by, Action.ISSUE, run.entity)
    if run.status != BillingRunStatus.AWAITING_APPROVAL:
        raise Conflict(_("This billing run is not awaiting approval."), code=errors.NOT_AWAITING_APPROVAL)
    user = by.user if by is not None else None
    run.approved_by, run.approved_at = user, timezone.now()
    run.status = BillingRunStatus.RUNNING
    run.results = {"preview": run.results}
    run.save(update_fields=["approved_by", "approved_at", "status", "results", "updated_at"])
    audit_record(entity=run.entity, actor=by, action="billing_run.approved", obj=run,
                 after={"run_date": run.run_date, "status": run.status})  # fmt: skip
    _queue(run)
    return run

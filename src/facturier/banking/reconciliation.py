"""Reconciling bank lines with open receivables: the engine's run and the clerk's decisions.

`reconciliation_run` feeds the pure engine (`domain.reconciliation`) with the entity's credit lines not
reconciled yet, the open items (issued invoices with a balance, and open items imported from the
previous tool), what was learned about payers (`PayerAlias`, customers' IBANs) and the entity's rules
(`ReconciliationModel`); it stores per line the status, score, reasons and proposal, and settles the
certain lines: a payment recorded and allocated through `payments.services`.

Every decision is a `Reconciliation` row, audited, and undone by reversing its payments. Each line is
locked (`SELECT ... FOR UPDATE`) before it is decided: two clerks deciding the same line queue up and
the second gets a Conflict naming the line's new status, so nothing is counted twice. A difference
short of the items' balance (bank fees, a few cents) is settled by a compensation payment and recorded
with the account configured for it, so the books can journal it; money beyond what is owed stays as
the customer's credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts import authorization
from facturier.accounts.actor import SYSTEM, Actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import actor_label, audit_record
from facturier.banking.models import (
    AliasKind,
    AliasSource,
    BankLine,
    Decision,
    LineStatus,
    PayerAlias,
    Reconciliation,
)
from facturier.banking.reconciliation_inputs import (
    Target,
    engine_hints,
    engine_items,
    engine_line,
    item_key,
    rules_of,
    stored_reasons,
)
from facturier.common.errors import BusinessError, Conflict, ValidationFailed
from facturier.domain import reconciliation as engine
from facturier.domain.reconciliation.normalise import iban_key
from facturier.parties.models import Customer
from facturier.payments import reconcilable

OPEN_STATUSES = (LineStatus.UNRECONCILED, LineStatus.PROPOSED)
CONFLICT = "bank_line_already_decided"
INVALID_MATCH = "invalid_match"
DIFFERENCE_TOO_LARGE = "difference_too_large"


# --- settling a line ------------------------------------------------------------------------------------


def resolve(entity: LegalEntity, key: str) -> Target:
    """The invoice or imported open item an item key names (of this entity only)."""
    return reconcilable.target(entity, key)


def _locked(line: BankLine) -> BankLine:
    locked: BankLine = BankLine.objects.select_for_update().get(pk=line.pk)
    return locked


def _check_open(line: BankLine, *statuses: str) -> None:
    if line.status not in statuses:
        raise Conflict(
            _("This bank line was already decided (%(status)s): reload to see it.")
            % {"status": LineStatus(line.status).label},
            code=CONFLICT, current_status=line.status,
        )  # fmt: skip


@dataclass
class Settled:
    reconciliation: Reconciliation
    difference_kind: str = ""


def _settle(
    line: BankLine,
    parts: Sequence[tuple[Target, Decimal]],
    *,
    by: Actor,
    rules: engine.Rules,
    decision: str,
    write_off: str | None = None,
    score: Any = None,
    reasons: list[dict[str, Any]] | None = None,
) -> Settled:
    """Record the line's payment allocated to `parts`; a shortfall is settled as fee or write-off.

    `write_off` ("fee" or "writeoff") is the clerk's choice for a difference ("" refuses any); None takes
    the engine's (a shortfall within the write-off tolerance is written off, beyond it up to the fee
    tolerance booked as bank fees), for automatic matches and accepted proposals.
    """
    if line.amount <= 0:
        raise ValidationFailed(_("Only money received can pay invoices."), field="line", code=INVALID_MATCH)
    parts = [(target, Decimal(amount)) for target, amount in parts if Decimal(amount) != 0]
    if not parts or any(amount < 0 for _target, amount in parts):
        raise ValidationFailed(_("Choose at least one open item and a positive amount."), field="items",
                               code=INVALID_MATCH)  # fmt: skip
    customers = {target.customer_id for target, _amount in parts}
    if len(customers) != 1:
        raise ValidationFailed(
            _("One bank line pays the items of one customer."), field="items", code=INVALID_MATCH
        )
    total = sum((amount for _target, amount in parts), Decimal(0))
    short = total - line.amount
    kind, account = "", ""
    if short > 0:
        kind = (
            write_off
            if write_off is not None
            else ("writeoff" if short <= rules.writeoff_tolerance else "fee")
        )
        limit = rules.writeoff_tolerance if kind == "writeoff" else rules.fee_tolerance
        account = rules.writeoff_account if kind == "writeoff" else rules.fee_account
        if not kind:
            raise ValidationFailed(
                _("The items exceed the bank line by %(difference)s: choose to write the difference off.")
                % {"difference": short}, field="write_off", code=DIFFERENCE_TOO_LARGE,
            )  # fmt: skip
        if kind not in ("fee", "writeoff") or short > limit:
            raise ValidationFailed(
                _("The items exceed the bank line by %(difference)s: more than can be written off (%(limit)s).")
                % {"difference": short, "limit": limit},
                field="items", code=DIFFERENCE_TOO_LARGE,
            )  # fmt: skip
    paid, adjustments, left = [], [], line.amount
    for target, amount in parts:
        part = min(amount, left)
        left -= part
        if part > 0:
            paid.append((target, part))
        if amount - part > 0:
            adjustments.append((target, amount - part))
    customer = Customer.objects.get(pk=customers.pop())
    payment = reconcilable.record(
        entity=line.entity, customer=customer, amount=line.amount, received_on=line.booking_date, by=by,
        currency=line.currency, compensation=False, reference=(line.bank_reference or line.end_to_end_id)[:140],
        payer=line.counterparty_name[:200], allocations=list(paid),
    )  # fmt: skip
    adjustment = None
    if adjustments:
        label = _("Bank fees") if kind == "fee" else _("Write-off")
        adjustment = reconcilable.record(
            entity=line.entity, customer=customer, amount=short, received_on=line.booking_date, by=by,
            currency=line.currency, compensation=True, reference=f"{label} {account}"[:140],
            payer=line.counterparty_name[:200], allocations=list(adjustments),
        )  # fmt: skip
    user, _key = authorization.user_and_key(by)
    reconciliation = Reconciliation.objects.create(
        entity=line.entity, line=line, decision=decision, payment=payment, adjustment=adjustment,
        fee_amount=short if kind == "fee" else 0, fee_account=account if kind == "fee" else "",
        writeoff_amount=short if kind == "writeoff" else 0, writeoff_account=account if kind == "writeoff" else "",
        credit_amount=max(line.amount - total, Decimal(0)), score=score, reasons=reasons or [],
        decided_by=user, decided_by_label=actor_label(by)[:200],
    )  # fmt: skip
    line.status = LineStatus.AUTO if decision == Decision.AUTO else LineStatus.MANUAL
    line.proposed_allocations = [
        {"item_key": item_key(target), "amount": str(amount)} for target, amount in parts
    ]
    line.save(update_fields=["status", "proposed_allocations", "updated_at"])
    audit_record(
        entity=line.entity, actor=by, action="bank_line.reconciled", obj=line,
        after={"decision": decision, "payment": str(payment.pk), "amount": line.amount,
               "items": line.proposed_allocations, "fee": str(reconciliation.fee_amount),
               "fee_account": reconciliation.fee_account, "writeoff": str(reconciliation.writeoff_amount),
               "writeoff_account": reconciliation.writeoff_account, "credit": str(reconciliation.credit_amount)},
    )  # fmt: skip
    return Settled(reconciliation, kind)


def _learn(line: BankLine, customer_id: Any) -> None:
    """A manual match teaches the engine the payer's IBAN and name for this customer."""
    known = [
        engine.CustomerHints(
            str(customer_id),
            frozenset(
                PayerAlias.objects.filter(customer_id=customer_id, kind=AliasKind.IBAN).values_list(
                    "value", flat=True
                )
            ),
            frozenset(
                PayerAlias.objects.filter(customer_id=customer_id, kind=AliasKind.NAME).values_list(
                    "value", flat=True
                )
            ),
        )  # fmt: skip
    ]
    hints = engine.learn(engine_line(line), str(customer_id), known)
    seen = {iban_key(line.counterparty_iban), " ".join(line.counterparty_name.split())}
    for kind, values in ((AliasKind.IBAN, hints.ibans), (AliasKind.NAME, hints.names)):
        for value in values:
            alias, created = PayerAlias.objects.get_or_create(
                entity=line.entity, customer_id=customer_id, kind=kind, value=value[:200],
                defaults={"source": AliasSource.MANUAL, "last_seen": line.booking_date},
            )  # fmt: skip
            if not created and value in seen:
                alias.count += 1
                alias.last_seen = line.booking_date
                alias.save(update_fields=["count", "last_seen", "updated_at"])


# --- the automatic run ----------------------------------------------------------------------------------


@dataclass
class RunSummary:
    examined: int = 0
    auto: int = 0
    proposed: int = 0
    unmatched: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "examined": self.examined,
            "auto": self.auto,
            "proposed": self.proposed,
            "unmatched": self.unmatched,
        }


def _store(line: BankLine, match: engine.Match, by: Actor, rules: engine.Rules, summary: RunSummary) -> None:
    """Write one line's result (the line locked and still open, else left as someone decided it)."""
    with transaction.atomic():
        line = _locked(line)
        if line.status not in OPEN_STATUSES:
            return
        keys = sorted(allocation.item_key for allocation in match.allocations)
        reasons = stored_reasons(match.reasons)
        status = match.status
        if keys and keys in [sorted(rejected) for rejected in line.rejected]:
            status, reasons = engine.Status.UNMATCHED, [{"code": "proposal_rejected", "params": {}}, *reasons]
        if status is engine.Status.AUTO:
            try:
                with transaction.atomic():
                    parts = [(resolve(line.entity, a.item_key), a.amount) for a in match.allocations]
                    _settle(line, parts, by=by, rules=rules, decision=Decision.AUTO,
                            score=Decimal(str(match.score)), reasons=reasons)  # fmt: skip
                    line.score, line.reasons = Decimal(str(match.score)), reasons
                    line.save(update_fields=["score", "reasons", "updated_at"])
                    summary.auto += 1
                    return
            except BusinessError as error:  # paid meanwhile: a human looks at it
                line.refresh_from_db()
                summary.errors.append(f"{line.pk}: {error.message}")
                status = engine.Status.PROPOSED
        line.score = Decimal(str(match.score)) if match.score else None
        line.reasons = reasons
        if status is engine.Status.PROPOSED:
            line.status = LineStatus.PROPOSED
            line.proposed_allocations = [
                {"item_key": a.item_key, "amount": str(a.amount)} for a in match.allocations
            ]
            summary.proposed += 1
        else:
            line.status = LineStatus.UNRECONCILED
            line.proposed_allocations = []
            summary.unmatched += 1
        line.save(update_fields=["status", "score", "reasons", "proposed_allocations", "updated_at"])


def reconciliation_run(
    *, entity: LegalEntity, by: Actor, lines: Iterable[BankLine] | None = None
) -> RunSummary:
    """Reconcile the entity's open credit lines (or those given): settle the certain, propose the likely.

    Not one transaction: each line is written in its own (locked, re-checked), so a long run never
    holds locks on what clerks are deciding meanwhile, and a crash leaves every line consistent.
    """
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    todo = BankLine.objects.filter(entity=entity, status__in=OPEN_STATUSES, amount__gt=0)
    if lines is not None:
        todo = todo.filter(pk__in=[line.pk for line in lines])
    todo_lines = list(todo.select_related("entity").order_by("booking_date", "created_at"))
    summary = RunSummary(examined=len(todo_lines))
    if not todo_lines:
        return summary
    rules = rules_of(entity)
    matches = engine.reconcile(
        [engine_line(line) for line in todo_lines],
        engine_items(entity),
        hints=engine_hints(entity),
        rules=rules,
    )
    for line, match in zip(todo_lines, matches, strict=True):
        _store(line, match, by, rules, summary)
    with transaction.atomic():
        audit_record(
            entity=entity, actor=by, action="bank_reconciliation.run", obj=entity, after=summary.as_dict()
        )
    return summary


# --- the clerk's decisions ------------------------------------------------------------------------------


@transaction.atomic
def proposal_accept(*, line: BankLine, by: Actor) -> Reconciliation:
    """Accept the engine's proposal for the line as it stands (the payer is learned for the customer)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, LineStatus.PROPOSED)
    parts = [
        (resolve(line.entity, part["item_key"]), Decimal(part["amount"]))
        for part in line.proposed_allocations
    ]
    settled = _settle(line, parts, by=by, rules=rules_of(line.entity), decision=Decision.MANUAL,
                      score=line.score, reasons=line.reasons)  # fmt: skip
    _learn(line, parts[0][0].customer_id)
    return settled.reconciliation


@transaction.atomic
def proposal_reject(*, line: BankLine, by: Actor) -> BankLine:
    """The proposal is wrong: the line goes back to the unreconciled, never proposed the same again."""
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, LineStatus.PROPOSED)
    rejected = sorted(part["item_key"] for part in line.proposed_allocations)
    line.rejected = [*line.rejected, rejected]
    line.status = LineStatus.UNRECONCILED
    line.proposed_allocations = []
    line.reasons = [{"code": "proposal_rejected", "params": {}}]
    line.save(update_fields=["rejected", "status", "proposed_allocations", "reasons", "updated_at"])
    audit_record(entity=line.entity, actor=by, action="bank_line.proposal_rejected", obj=line,
                 after={"items": rejected})  # fmt: skip
    return line


@transaction.atomic
def line_match(
    *, line: BankLine, parts: Sequence[tuple[str, Decimal]], by: Actor, write_off: str = ""
) -> Reconciliation:
    """Match the line by hand to the items chosen, split as given; a shortfall is written off as chosen.

    `parts`: (item key, amount) pairs; `write_off`: "writeoff" or "fee" when the items exceed the line
    (within the configured tolerance, booked to the configured account).
    """
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, *OPEN_STATUSES)
    targets = [(resolve(line.entity, key), Decimal(amount)) for key, amount in parts]
    settled = _settle(line, targets, by=by, rules=rules_of(line.entity), decision=Decision.MANUAL,
                      write_off=write_off)  # fmt: skip
    _learn(line, targets[0][0].customer_id)
    return settled.reconciliation


@transaction.atomic
def line_mark_unrelated(*, line: BankLine, by: Actor) -> Reconciliation:
    """Not a customer's payment (a refund from a supplier, a transfer between accounts...)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, *OPEN_STATUSES)
    user, _key = authorization.user_and_key(by)
    reconciliation = Reconciliation.objects.create(
        entity=line.entity, line=line, decision=Decision.UNRELATED, decided_by=user,
        decided_by_label=actor_label(by)[:200],
    )  # fmt: skip
    line.status = LineStatus.UNRELATED
    line.proposed_allocations = []
    line.save(update_fields=["status", "proposed_allocations", "updated_at"])
    audit_record(entity=line.entity, actor=by, action="bank_line.marked_unrelated", obj=line, after={})
    return reconciliation


@transaction.atomic
def line_undo(*, line: BankLine, by: Actor) -> BankLine:
    """Undo the line's decision: its payments reversed, the line unreconciled (not re-matched the same)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, line.entity)
    line = _locked(line)
    _check_open(line, LineStatus.AUTO, LineStatus.MANUAL, LineStatus.UNRELATED)
    reconciliation = (
        Reconciliation.objects.select_for_update().filter(line=line, undone_at__isnull=True).first()
    )
    if reconciliation is None:  # settled elsewhere (a direct-debit return: banking.returns), not undone here
        raise Conflict(_("This bank line was not reconciled here: it cannot be undone."), code=CONFLICT)
    reason = _("Bank line reconciliation undone")
    # a payment recorded by hand and only linked to the line (banking.payment_link) stays as it was
    linked = any(part.get("code") == "payment_linked" for part in reconciliation.reasons or [])
    for payment_id in () if linked else (reconciliation.payment_id, reconciliation.adjustment_id):
        if payment_id is not None:
            reconcilable.reverse(payment_id=payment_id, by=by, reason=reason)
    reconciliation.undone_at = timezone.now()
    reconciliation.save(update_fields=["undone_at", "updated_at"])
    before = {"status": line.status, "items": line.proposed_allocations}
    if reconciliation.decision != Decision.UNRELATED and line.proposed_allocations:
        line.rejected = [*line.rejected, sorted(part["item_key"] for part in line.proposed_allocations)]
    line.status = LineStatus.UNRECONCILED
    line.proposed_allocations = []
    line.score = None
    line.reasons = []
    line.save(update_fields=["status", "proposed_allocations", "score", "reasons", "rejected", "updated_at"])
    audit_record(entity=line.entity, actor=by, action="bank_line.reconciliation_undone", obj=line,
                 before=before, after={"status": line.status})  # fmt: skip
    return line


def proposals_accept_confident(*, entity: LegalEntity, by: Actor, minimum: Decimal) -> tuple[int, list[str]]:
    """Bulk accept: every proposal scored at least `minimum` (each in its own transaction)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    accepted, refused = 0, []
    for line in BankLine.objects.filter(entity=entity, status=LineStatus.PROPOSED, score__gte=minimum):
        try:
            proposal_accept(line=line, by=by)
            accepted += 1
        except BusinessError as error:
            refused.append(f"{line.bank_reference or line.pk}: {error.message}")
    return accepted, refused


def reconcile_after_import(entity: LegalEntity, *, new_lines: int) -> RunSummary | None:
    """The automatic reconciliation that follows an import with new lines (run by the system)."""
    if new_lines <= 0:
        return None
    return reconciliation_run(entity=entity, by=SYSTEM)

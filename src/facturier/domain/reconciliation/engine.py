"""`reconcile(lines, items)`: one Match per bank line, in the lines' order.

Each candidate (one open item, or several of one customer) is scored by adding the weight of its
evidence in log-odds — how the line quotes it, how the amounts compare, who paid, the dates — to
a prior that a random item is not the one; the score is the logistic of that sum. The weights are
chosen so that a single kind of evidence is never enough to reconcile without a human: an exact
invoice number with the exact amount is, a payer's name with the exact and only matching amount
of that customer is, a typo'd number needs the amount and the payer. Two candidates within
`AMBIGUITY_MARGIN` of each other make the line ambiguous: never reconciled automatically.
Money beyond what is owed (more than the write-off tolerance) is kept as customer credit only
after a human looked: an overpayment is at most proposed. Automatic matches then take the items' open amounts in order of confidence, so one item is never
automatically paid twice in a run; the line that finds the item already taken becomes a proposal.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from facturier.domain.reconciliation.evidence import (
    ALIAS,
    EXACT,
    FUZZY,
    NAME,
    NORMALISED,
    RF,
    SIMILAR,
    LineEvidence,
    find_mistyped_references,
    find_payers,
    find_references,
)
from facturier.domain.reconciliation.index import Index
from facturier.domain.reconciliation.subset_sum import subsets_within
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

PRIOR = -4.0
REFERENCE_WEIGHT = {RF: 6.0, EXACT: 5.0, NORMALISED: 4.5, FUZZY: 3.0}
PARTLY_QUOTED_GROUP = 3.0
NAME_WEIGHT = {NAME: 3.0, ALIAS: 3.0, SIMILAR: 1.5}
NAME_CUT_SHORT = 3.0  # every word matches, the last one truncated by the bank
IBAN_WEIGHT = 3.5
BOTH_PAYER_SIGNS = 0.5
IBAN_OF_ANOTHER_CUSTOMER = -3.0
UNIQUE_AMOUNT_FOR_CUSTOMER = 1.5
PAID_BEFORE_ISSUE = -2.0
UNQUOTED_GROUP_AMOUNT_CAP = 1.5
AMBIGUITY_MARGIN = 1.0
MAX_CUSTOMERS_IN_SEARCH = 5  # customers whose items the subset-sum tries for one line
MAX_ITEMS_IN_SEARCH = 30  # the oldest items of a customer the subset-sum looks at
MAX_AMOUNT_ONLY = 3  # an amount shared by more items says nothing
MAX_OWING = 50  # customers owing the line's amount whose names are compared with the payer's
CERTAIN_AMOUNTS = {"amount_exact", "amount_writeoff", "amount_fee", "amount_within_tolerance"}
# A number one typo away (a digit dropped, replaced or added, two swapped) is most often another real
# invoice: it settles a line by itself only when the amount agrees (exact, or cents within the write-off
# tolerance) and the payer is known (IBAN, name or learned alias); otherwise it is only proposed, whatever
# the company's automatic threshold.
TYPO_CONFIRMING_AMOUNTS = {"amount_exact", "amount_writeoff", "amount_within_tolerance"}


@dataclass
class Candidate:
    positions: tuple[int, ...]
    customer: str
    weight: float
    amount_code: str
    items: list[OpenItem]  # in allocation order: oldest due date first
    parts: list[Decimal]
    difference: Decimal
    difference_kind: str
    explain: Callable[[], list[Reason]]  # built for the chosen candidate only
    typo: bool = False  # an item is quoted only by a number one typo away
    payer_sure: bool = False  # the payer is the customer by IBAN, name or learned alias (not merely similar)

    @property
    def score(self) -> float:
        return round(1.0 / (1.0 + math.exp(-self.weight)), 4)

    @property
    def allocations(self) -> tuple[Allocation, ...]:
        return tuple(
            Allocation(item.key, part) for item, part in zip(self.items, self.parts, strict=True) if part > 0
        )


def _compare_amounts(
    line: BankLine, items: Sequence[OpenItem], rules: Rules
) -> tuple[str, float, list[Decimal], Decimal, str]:
    """(reason code, weight, allocated amounts, difference, difference kind) of paying `items` with the line."""
    opens = [item.open_amount for item in items]
    difference = line.amount - sum(opens, Decimal(0))
    if difference == 0:
        return "amount_exact", 2.5, opens, difference, ""
    if difference > 0:
        if difference <= rules.writeoff_tolerance:
            return "amount_within_tolerance", 2.0, opens, difference, "credit"
        # paying a little more happens; paying twice the invoice is more likely paying something else
        return "overpayment", -0.5 if difference * 4 <= line.amount else -2.0, opens, difference, "credit"
    if -difference <= rules.writeoff_tolerance:
        return "amount_writeoff", 2.3, opens, difference, "writeoff"
    if -difference <= rules.fee_tolerance:
        return "amount_fee", 2.0, opens, difference, "fee"
    # a partial payment: the oldest items first, never more than the line
    left, parts = line.amount, []
    for amount in opens:
        part = min(amount, left)
        parts.append(part)
        left -= part
    return "partial_payment", -0.5, parts, Decimal(0), ""


def _payer_weight(customer: str, evidence: LineEvidence) -> tuple[float, list[Reason]]:
    weight, reasons = 0.0, []
    by_iban = customer in evidence.iban_customers
    if by_iban:
        weight = IBAN_WEIGHT
        reasons.append(Reason("iban_known", {"customer": customer}))
    named = evidence.names.get(customer)
    if named:
        kind, similarity = named
        name_weight = NAME_CUT_SHORT if kind == SIMILAR and similarity >= 1.0 else NAME_WEIGHT[kind]
        weight = max(weight, name_weight) + (BOTH_PAYER_SIGNS if by_iban else 0.0)
        reasons.append(Reason(kind, {"customer": customer, "similarity": similarity}))
    if evidence.iban_customers and not by_iban:
        weight += IBAN_OF_ANOTHER_CUSTOMER
        reasons.append(Reason("iban_other_customer", {"customers": sorted(evidence.iban_customers)}))
    return weight, reasons


def _candidate(
    line: BankLine,
    positions: tuple[int, ...],
    index: Index,
    evidence: LineEvidence,
    rules: Rules,
) -> Candidate:
    items = [index.items[position] for position in positions]
    if len(items) > 1:
        items.sort(key=lambda item: (item.due_date or item.issue_date, item.issue_date, item.key))
    customer = items[0].customer_key
    quotes = [(index.items[p], evidence.references[p]) for p in positions if p in evidence.references]
    if quotes and len(quotes) == len(positions):
        weight = min(REFERENCE_WEIGHT[quote.kind] for _item, quote in quotes)
    elif quotes:
        weight = PARTLY_QUOTED_GROUP
    else:
        weight = 0.0
    code, amount_weight, parts, difference, kind = _compare_amounts(line, items, rules)
    if len(items) > 1 and len(quotes) < len(items):
        # a customer's items often add up to about any amount: only an exact sum says much
        cap = UNQUOTED_GROUP_AMOUNT_CAP if not quotes else amount_weight
        amount_weight = min(amount_weight, cap) if code == "amount_exact" else min(amount_weight, 0.0)
    weight += amount_weight
    if customer not in evidence.payer_cache:
        evidence.payer_cache[customer] = _payer_weight(customer, evidence)
    payer_weight, payer_reasons = evidence.payer_cache[customer]
    weight += payer_weight
    unique = False
    if code == "amount_exact" and len(items) == 1 and payer_weight >= NAME_CUT_SHORT:
        amount = items[0].open_amount
        unique = len(index.customer_items_between(customer, line.currency, amount, amount)) == 1
        weight += UNIQUE_AMOUNT_FOR_CUSTOMER if unique else 0.0
    early = any(item.issue_date > line.booking_date for item in items)
    weight += PAID_BEFORE_ISSUE if early else 0.0

    def explain() -> list[Reason]:
        reasons = [Reason(quote.kind, {"number": item.number, "text": quote.text}) for item, quote in quotes]
        if len(items) > 1:
            reasons.append(Reason("grouped_payment", {"count": len(items)}))
        total = sum((item.open_amount for item in items), Decimal(0))
        amounts = {"amount": str(line.amount), "open": str(total), "difference": str(difference)}
        reasons.append(Reason(code, amounts))
        reasons.extend(payer_reasons)
        if unique:
            reasons.append(Reason("amount_unique_for_customer", {"customer": customer}))
        if early:
            reasons.append(Reason("paid_before_issue", {"date": line.booking_date.isoformat()}))
        return reasons

    typo = any(quote.kind == FUZZY for _item, quote in quotes)
    return Candidate(positions, customer, weight + PRIOR, code, items, parts, difference, kind, explain,
                     typo=typo, payer_sure=payer_weight >= NAME_CUT_SHORT)  # fmt: skip


def _search_groups(
    line: BankLine,
    customer: str,
    quoted: list[int],
    index: Index,
    evidence: LineEvidence,
    rules: Rules,
    found: dict[tuple[int, ...], Candidate],
) -> None:
    """Several items of the customer adding up to the line: the quoted ones, completed by the oldest."""
    forced = [at for at in quoted if index.items[at].open_amount < line.amount][: rules.max_items_in_sum - 1]
    taken = sum((index.items[at].open_amount for at in forced), Decimal(0))
    low = line.amount - rules.writeoff_tolerance - taken
    high = line.amount + max(rules.fee_tolerance, rules.writeoff_tolerance) - taken
    if high <= 0:
        return
    pool = [
        at
        for at in index.customer_items(customer, line.currency)
        if at not in forced and index.items[at].open_amount <= high
    ][:MAX_ITEMS_IN_SEARCH]
    amounts = [index.items[at].open_amount for at in pool]
    smallest = max(2 - len(forced), 1)
    for subset in subsets_within(
        amounts, low, high, min_size=smallest, max_size=rules.max_items_in_sum - len(forced)
    ):
        key = tuple(sorted([*forced, *(pool[at] for at in subset)]))
        if key not in found:
            found[key] = _candidate(line, key, index, evidence, rules)


def _candidates(line: BankLine, index: Index, rules: Rules) -> list[Candidate]:
    evidence = LineEvidence()
    find_references(line, index, evidence)
    same_amount = index.by_amount.get((line.currency, line.amount), [])
    owing = {index.items[at].customer_key for at in same_amount[:MAX_OWING]}
    find_payers(line, index, evidence, owing)
    payer_customers = evidence.payer_customers()
    # what a customer's item must owe for the payer alone to point at it (exact, fee or cents away)
    low = line.amount - rules.writeoff_tolerance
    high = line.amount + max(rules.fee_tolerance, rules.writeoff_tolerance)

    found: dict[tuple[int, ...], Candidate] = {}

    def singles() -> None:
        positions = set(evidence.references)
        for customer in payer_customers:
            positions.update(index.customer_items_between(customer, line.currency, low, high))
        if len(same_amount) <= MAX_AMOUNT_ONLY:
            positions.update(same_amount)
        for position in positions:
            if (position,) not in found or position in evidence.requoted:
                found[(position,)] = _candidate(line, (position,), index, evidence, rules)

    singles()
    certain = any(
        candidate.amount_code in CERTAIN_AMOUNTS and evidence.references[candidate.positions[0]].kind != FUZZY
        for candidate in found.values()
        if candidate.positions[0] in evidence.references
    )
    if not certain:
        evidence.requoted = set()
        find_mistyped_references(line, index, evidence, set(payer_customers), low, high)
        singles()
    # several items quoted together, per customer: with and without the numbers found by a typo
    quoted_by_customer: dict[str, list[int]] = {}
    surely_quoted: dict[str, list[int]] = {}
    for position in sorted(evidence.references):
        customer = index.items[position].customer_key
        quoted_by_customer.setdefault(customer, []).append(position)
        if evidence.references[position].kind != FUZZY:
            surely_quoted.setdefault(customer, []).append(position)
    for positions in [*quoted_by_customer.values(), *surely_quoted.values()]:
        if 2 <= len(positions) <= 2 * rules.max_items_in_sum and tuple(positions) not in found:
            found[tuple(positions)] = _candidate(line, tuple(positions), index, evidence, rules)
    if not any(
        candidate.amount_code in CERTAIN_AMOUNTS and candidate.score >= rules.propose_threshold
        for candidate in found.values()
    ):
        for customer in sorted(set(payer_customers) | set(quoted_by_customer))[:MAX_CUSTOMERS_IN_SEARCH]:
            forced = surely_quoted.get(customer, [])
            _search_groups(line, customer, forced, index, evidence, rules, found)
    return sorted(
        found.values(),
        key=lambda candidate: (-candidate.weight, [index.items[p].key for p in candidate.positions]),
    )


def _decide(line: BankLine, candidates: list[Candidate], index: Index, rules: Rules) -> Match:
    if not candidates:
        return Match(line.key, Status.UNMATCHED, reasons=(Reason("no_candidate"),))
    best = candidates[0]
    if len(candidates) > 1:
        second = candidates[1]
        if best.weight - second.weight < AMBIGUITY_MARGIN and second.score >= rules.propose_threshold:
            others = [[index.items[p].key for p in candidate.positions] for candidate in candidates[:3]]
            reasons = (Reason("ambiguous", {"candidates": others}), *best.explain())
            return Match(line.key, Status.UNMATCHED, score=best.score, reasons=reasons)
    typo_unconfirmed = best.typo and not (best.amount_code in TYPO_CONFIRMING_AMOUNTS and best.payer_sure)
    if best.score >= rules.auto_threshold and best.amount_code != "overpayment" and not typo_unconfirmed:
        status = Status.AUTO
    elif best.score >= rules.propose_threshold:
        status = Status.PROPOSED
    else:
        return Match(line.key, Status.UNMATCHED, score=best.score, reasons=tuple(best.explain()))
    return Match(
        line.key,
        status,
        allocations=best.allocations,
        score=best.score,
        reasons=tuple(best.explain()),
        difference=best.difference,
        difference_kind=best.difference_kind,
        customer_key=best.customer,
    )


def _settle(matches: list[Match], items: Iterable[OpenItem]) -> list[Match]:
    """Automatic matches take what is open, most confident first; a line too late becomes a proposal."""
    open_amounts = {item.key: item.open_amount for item in items}
    automatic = sorted(
        (position for position, match in enumerate(matches) if match.status is Status.AUTO),
        key=lambda position: (-matches[position].score, position),
    )
    for position in automatic:
        match = matches[position]
        if all(allocation.amount <= open_amounts[allocation.item_key] for allocation in match.allocations):
            for allocation in match.allocations:
                open_amounts[allocation.item_key] -= allocation.amount
        else:
            taken = [a.item_key for a in match.allocations if a.amount > open_amounts[a.item_key]]
            reason = Reason("item_already_allocated", {"items": taken})
            matches[position] = replace(match, status=Status.PROPOSED, reasons=(reason, *match.reasons))
    return matches


def reconcile(
    lines: Sequence[BankLine],
    items: Iterable[OpenItem],
    *,
    hints: Sequence[CustomerHints] = (),
    rules: Rules = Rules(),  # noqa: B008 - frozen, never mutated
) -> list[Match]:
    """One Match per bank line, same order. Debits and zero amounts are left unmatched."""
    # The run allocates many small objects and frees them by reference counting, none in cycles: the
    # cyclic collector would only walk the index again and again (measured: a fifth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        index = Index.build(items, hints)
        matches = []
        for line in lines:
            if line.amount <= 0:
                matches.append(Match(line.key, Status.UNMATCHED, reasons=(Reason("not_a_credit"),)))
                continue
            matches.append(_decide(line, _candidates(line, index, rules), index, rules))
        return _settle(matches, index.items)
    finally:
        if collecting:
            gc.enable()

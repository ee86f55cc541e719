"""Which approval levels a document must pass, from the entity's rules and the document's facts.

A rule matches a document when every condition it sets holds (an empty condition matches anything);
amounts compare only in the rule's currency (a rule with bounds in EUR never matches a USD invoice, so a
missing rate can never approve a large amount by accident). The plan is the levels of every matching
rule, in rule order (priority, then name), each level kept once. Exception rules (per customer or
project) replace the general circuit: when one matches, only the matching exceptions count.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

DOCUMENT_TYPES = ("invoice", "credit_note", "supplier_invoice")


@dataclass(frozen=True)
class Facts:
    """What the rules may look at; the callers (invoicing, inbox) fill it from their own rows."""

    amount: Decimal
    currency: str
    document_type: str
    entity_id: str = ""
    country: str = ""
    party_id: str = ""  # the customer of an invoice, the supplier of a supplier invoice
    cost_centre: str = ""
    project: str = ""


@dataclass(frozen=True)
class LevelSpec:
    """One level: who may decide (roles and named users) and how many of them must approve (n of m).

    ``required`` 1 is a single approver among several (sequential circuits put one per level); more is
    a parallel level where n of the m candidates must approve.
    """

    roles: frozenset[str] = frozenset()
    users: frozenset[str] = frozenset()
    required: int = 1
    label: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    levels: tuple[LevelSpec, ...]
    document_types: frozenset[str] = frozenset()
    min_amount: Decimal | None = None  # inclusive
    max_amount: Decimal | None = None  # exclusive
    currency: str = ""
    parties: frozenset[str] = frozenset()
    cost_centres: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()
    exception: bool = False
    priority: int = 0

    def matches(self, facts: Facts) -> bool:
        if self.min_amount is not None or self.max_amount is not None:
            if self.currency and facts.currency != self.currency:
                return False
            if self.min_amount is not None and facts.amount < self.min_amount:
                return False
            if self.max_amount is not None and facts.amount >= self.max_amount:
                return False
        elif self.currency and facts.currency != self.currency:
            return False
        checks = (
            (self.document_types, facts.document_type),
            (self.parties, facts.party_id),
            (self.cost_centres, facts.cost_centre),
            (self.countries, facts.country),
            (self.entities, facts.entity_id),
            (self.projects, facts.project),
        )
        return all(not allowed or value in allowed for allowed, value in checks)


@dataclass(frozen=True)
class PlannedLevel:
    spec: LevelSpec
    rule: str  # the name of the rule that asked for it, shown to the approver


@dataclass(frozen=True)
class Plan:
    levels: tuple[PlannedLevel, ...] = field(default_factory=tuple)

    @property
    def rules(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(level.rule for level in self.levels))


def _ordered(rules: Iterable[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda rule: (rule.priority, rule.name))


def plan_for(rules: Sequence[Rule], facts: Facts) -> Plan:
    """The levels ``facts`` must pass; an empty plan means no rule applies."""
    matching = [rule for rule in _ordered(rules) if rule.matches(facts)]
    exceptions = [rule for rule in matching if rule.exception]
    chosen = exceptions or matching
    levels: list[PlannedLevel] = []
    seen: set[LevelSpec] = set()
    for rule in chosen:
        for spec in rule.levels:
            if spec not in seen:
                seen.add(spec)
                levels.append(PlannedLevel(spec=spec, rule=rule.name))
    return Plan(levels=tuple(levels))


@dataclass(frozen=True)
class Progress:
    """Where a request stands: the level waiting for decisions, or finished (approved or rejected)."""

    level: int | None
    approved: bool
    rejected: bool


def progress(
    required: Sequence[int], approvals: Sequence[int], rejected: bool, skipped: frozenset[int]
) -> Progress:
    """Levels pass in order; a level passes with ``required`` approvals (or when escalation skipped it)."""
    if rejected:
        return Progress(level=None, approved=False, rejected=True)
    for index, needed in enumerate(required):
        got = approvals[index] if index < len(approvals) else 0
        if index not in skipped and got < needed:
            return Progress(level=index, approved=False, rejected=False)
    return Progress(level=None, approved=True, rejected=False)

"""Which hourly rate bills a time entry: the most specific rule of the rate card wins.

A rule names some of (customer, person, task, role); a rule with none of them is the project's
default. Specificity, from most to least specific (documented in docs/timesheets.md):

1. customer + person  (this consultant, for this customer)
2. person
3. task
4. customer
5. role
6. default

At one level a rule written for the entry's project beats a company-wide rule (no project). Two rules
of the same level and scope are ambiguous: the rate card refuses to store them (unique constraints), and
this function takes the first one given, so its answer never depends on anything but its input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum


class Level(IntEnum):
    """Lower is more specific."""

    CUSTOMER_PERSON = 1
    PERSON = 2
    TASK = 3
    CUSTOMER = 4
    ROLE = 5
    DEFAULT = 6


class InvalidRule(ValueError):
    """A rule shape the order above does not rank (e.g. task + role)."""


@dataclass(frozen=True)
class RateRule:
    rate: Decimal
    customer: str | None = None
    person: str | None = None
    task: str | None = None
    role: str | None = None
    project: str | None = None  # None: every project of the company
    ref: str = ""  # what the caller needs to name the rule that applied


@dataclass(frozen=True)
class EntryFacts:
    """What an entry says about itself; ``task`` and ``role`` compare without case or outer spaces."""

    customer: str
    person: str
    project: str
    task: str = ""
    role: str = ""


def level_of(rule: RateRule) -> Level:
    """The level of a rule from the fields it names; refuses the shapes the order does not rank."""
    named = frozenset(
        name for name in ("customer", "person", "task", "role") if getattr(rule, name) not in (None, "")
    )
    levels = {
        frozenset({"customer", "person"}): Level.CUSTOMER_PERSON,
        frozenset({"person"}): Level.PERSON,
        frozenset({"task"}): Level.TASK,
        frozenset({"customer"}): Level.CUSTOMER,
        frozenset({"role"}): Level.ROLE,
        frozenset(): Level.DEFAULT,
    }
    if named not in levels:
        raise InvalidRule(
            f"a rule names customer+person, person, task, customer, role or nothing: {sorted(named)}"
        )
    return levels[named]


def _norm(value: str | None) -> str:
    return (value or "").strip().casefold()


def _matches(rule: RateRule, facts: EntryFacts) -> bool:
    if rule.project is not None and rule.project != facts.project:
        return False
    if rule.customer is not None and rule.customer != facts.customer:
        return False
    if rule.person is not None and rule.person != facts.person:
        return False
    if rule.task and _norm(rule.task) != _norm(facts.task):
        return False
    return not (rule.role and _norm(rule.role) != _norm(facts.role))


def resolve_rate(rules: list[RateRule], facts: EntryFacts) -> RateRule | None:
    """The rule that prices the entry, or None when the rate card has no rule for it."""
    best: tuple[int, int, int] | None = None
    chosen: RateRule | None = None
    for index, rule in enumerate(rules):
        if not _matches(rule, facts):
            continue
        rank = (int(level_of(rule)), 0 if rule.project is not None else 1, index)
        if best is None or rank < best:
            best, chosen = rank, rule
    return chosen

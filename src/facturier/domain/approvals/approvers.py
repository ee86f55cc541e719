"""Who may decide a level: its named users and the members holding one of its roles, with absent
approvers replaced by their delegates, never an author of the document.

A level that cannot gather ``required`` such people would block the document forever: ``shortfall``
says so, for the rule editor (when saving) and for submission (a clear error instead of a stuck invoice).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from facturier.domain.approvals.rules import LevelSpec


@dataclass(frozen=True)
class Delegation:
    user: str
    delegate: str
    starts_on: dt.date
    ends_on: dt.date  # inclusive

    def active(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


def candidates(
    spec: LevelSpec,
    members: Mapping[str, str],
    *,
    delegations: Iterable[Delegation] = (),
    day: dt.date,
    excluded: frozenset[str] = frozenset(),
    extra: Iterable[str] = (),
) -> frozenset[str]:
    """User ids that may decide ``spec`` on ``day``. ``members`` maps user id -> role in the entity;
    named users count only while they are members. ``extra`` are fallback approvers added by escalation.
    A delegate stands in for an absent approver (one hop: a delegate's own absence is not followed, so
    delegations can never loop)."""
    chosen = {user for user, role in members.items() if role in spec.roles}
    chosen |= {user for user in spec.users if user in members}
    chosen |= set(extra)
    absent = {d.user: d.delegate for d in delegations if d.active(day)}
    resolved = {absent.get(user, user) for user in chosen}
    return frozenset(resolved - excluded)


def shortfall(spec: LevelSpec, available: frozenset[str]) -> int:
    """How many approvers the level lacks (0: it can be decided)."""
    return max(0, spec.required - len(available))

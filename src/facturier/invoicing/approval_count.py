# ruff: noqa: S608 - only table names and constant codes are put into the SQL text; values are parameters
"""The menu's "To approve" count of a signed-in user, in at most four plain SQL queries.

Every staff page shows it (issue 9). Written with the ORM (`awaiting_approval_by(...).count()`), it
built and compiled five or six queries per page, about 3.5 ms of CPU when some document is pending:
more than the rest of the menu. Here the same definition reads, with hand-written SQL:

1. the invoices and credit notes of the entity pending approval that the user neither created nor
   submitted, each with its pending approval request if it has one (one per subject at most);
2. only when some of them has a request: the approvals already given on those requests, the entity's
   members with their roles (active users), and its delegations;

and keeps the documents without a request and those whose current level the user may decide
(`engine.candidates_at`, the rule `approvals.selectors.not_for` applies). `tests/approvals/
test_approval_count.py` checks it against `awaiting_approval_by(...).count()` as circuits move.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection

from facturier.accounts.models import LegalEntity, Membership
from facturier.approvals import engine
from facturier.approvals.models import (
    ApprovalDecision,
    ApprovalRequest,
    Decision,
    Delegation,
    RequestStatus,
    SubjectType,
)
from facturier.domain.approvals import approvers
from facturier.invoicing.models import Document, Kind, Status


def pending_for_user(user: Any, entity: LegalEntity, day: dt.date) -> int:
    """How many documents of `entity` wait for `user`'s decision (what the menu shows)."""
    entity_id = _db_id(entity.pk)
    user_id = user.pk
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id, r.level, r.plan, r.author_refs, r.extra_approvers FROM {Document._meta.db_table} d"
            f" LEFT JOIN {ApprovalRequest._meta.db_table} r ON r.subject_id = d.id AND r.entity_id = %s"
            f" AND r.subject_type = %s AND r.status = %s"
            " WHERE d.entity_id = %s AND d.kind = %s AND d.status = %s"
            " AND (d.created_by_id IS NULL OR d.created_by_id <> %s)"
            " AND (d.submitted_by_id IS NULL OR d.submitted_by_id <> %s)",
            [
                entity_id,
                SubjectType.DOCUMENT.value,
                RequestStatus.PENDING.value,
                entity_id,
                Kind.INVOICE.value,
                Status.PENDING_APPROVAL.value,
                user_id,
                user_id,
            ],
        )
        rows = cursor.fetchall()
        requests = [row for row in rows if row[0] is not None]
        if not requests:
            return len(rows)
        approved = _approved_by(cursor, [row[0] for row in requests])
        member_roles, absences = _members(cursor, entity_id), _delegations(cursor, entity_id)
    uid = str(user_id)
    kept_from_user = sum(
        1
        for request_id, level, plan, author_refs, extra in requests
        if uid
        not in engine.candidates_at(
            _json(plan),
            int(level),
            author_refs=_json(author_refs),
            approved=approved.get(str(request_id), frozenset()),
            extra_approvers=_json(extra),
            day=day,
            member_roles=member_roles,
            absences=absences,
        )
    )
    return len(rows) - kept_from_user


def _db_id(value: Any) -> Any:
    """A UUID as the database stores it (char(32) on SQLite, uuid on PostgreSQL)."""
    return LegalEntity._meta.pk.get_db_prep_value(value, connection)


def _json(value: Any) -> Any:
    """A JSON column read by a plain cursor: text on SQLite and (Django's loader) on PostgreSQL."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _approved_by(cursor: Any, request_ids: list[Any]) -> dict[str, frozenset[str]]:
    """`engine.approved_by` of each request: who approved a level, and whom they stood in for."""
    marks = ", ".join(["%s"] * len(request_ids))
    cursor.execute(
        f"SELECT request_id, actor_ref, on_behalf_of_id FROM {ApprovalDecision._meta.db_table}"
        f" WHERE request_id IN ({marks}) AND decision = %s",
        [*request_ids, Decision.APPROVED.value],
    )
    refs: dict[str, set[str]] = {}
    for request_id, actor_ref, on_behalf_of in cursor.fetchall():
        seen = refs.setdefault(str(request_id), set())
        seen.add(actor_ref)
        if on_behalf_of is not None:
            seen.add(f"user:{on_behalf_of}")
    return {request_id: frozenset(seen) for request_id, seen in refs.items()}


def _members(cursor: Any, entity_id: Any) -> dict[str, str]:
    """`engine.members`: user id -> role, for the active users of the entity."""
    users = get_user_model()._meta.db_table
    cursor.execute(
        f"SELECT m.user_id, m.role FROM {Membership._meta.db_table} m JOIN {users} u ON u.id = m.user_id"
        " WHERE m.entity_id = %s AND u.is_active",
        [entity_id],
    )
    return {str(user): role for user, role in cursor.fetchall()}


def _delegations(cursor: Any, entity_id: Any) -> list[approvers.Delegation]:
    """`engine.delegations`."""
    cursor.execute(
        f"SELECT user_id, delegate_id, starts_on, ends_on FROM {Delegation._meta.db_table} WHERE entity_id = %s",
        [entity_id],
    )
    return [approvers.Delegation(str(u), str(d), _day(s), _day(e)) for u, d, s, e in cursor.fetchall()]


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))

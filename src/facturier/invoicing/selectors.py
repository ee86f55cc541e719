"""Reads on quotes, orders, invoices and credit notes that the web UI and the API share.

Which documents a list shows, its filters, search and order; the buttons an actor may use on a
document; its lineage and history. They live here, beside the services, so every screen and endpoint
answers the same question the same way, and the buttons follow the one lifecycle (`lifecycle.py`)
and the one authorization (`accounts.authorization`) the services enforce, instead of a copy of them.
Settlement filters (paid, open, overdue) are derived from payments and are read through
`payments.selectors`, which builds on these querysets.
"""

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.approvals.models import SubjectType
from facturier.approvals.selectors import not_for
from facturier.audit.models import AuditEvent
from facturier.common.errors import PermissionDenied, ValidationFailed
from facturier.common.text_search import indexed_on_sqlite, matching, phrase
from facturier.domain.calculation import DocumentAllowanceCharge, LineInput, Totals, compute_totals
from facturier.invoicing import services  # before `lines`, which imports services.draft_vat (a cycle)
from facturier.invoicing.approval_count import pending_for_user
from facturier.invoicing.lifecycle import (
    OPEN_RECEIVABLE,
    SENDABLE,
    awaits_approval,
    can_move,
    is_editable,
    is_issued_invoice,
)
from facturier.invoicing.line_pricing import pricer_for
from facturier.invoicing.lines import ResolvedLine, allowance_vat, resolve_line
from facturier.invoicing.models import Document, Kind, Status, TypeCode
from facturier.parties.models import Customer
from facturier.parties.selectors import named

# The slices of the one document table a list or an API resource shows: (kind, credit notes?),
# where None means "not an invoice list" and True/False keeps only / leaves out credit notes.
SLICES: dict[str, tuple[str, bool | None]] = {
    "quotes": (Kind.QUOTE, None),
    "orders": (Kind.ORDER, None),
    "invoices": (Kind.INVOICE, False),
    "credit_notes": (Kind.INVOICE, True),
}


def documents_in(entity: LegalEntity, *, kind: str, credit_notes: bool | None = None) -> QuerySet[Document]:
    """The entity's documents of one kind (for invoices: with or without the credit notes).

    Every list starts here, so no list ever shows another entity's rows.
    """
    documents = Document.objects.filter(entity=entity, kind=kind)
    if credit_notes is True:
        return documents.filter(type_code=TypeCode.CREDIT_NOTE)
    if credit_notes is False:
        return documents.exclude(type_code=TypeCode.CREDIT_NOTE)
    return documents


def documents_of(entity: LegalEntity, slice_name: str) -> QuerySet[Document]:
    """`documents_in` by the name of a slice (`quotes`, `orders`, `invoices`, `credit_notes`)."""
    kind, credit_notes = SLICES[slice_name]
    return documents_in(entity, kind=kind, credit_notes=credit_notes)


@dataclass(frozen=True)
class DocumentFilters:
    """What a list may be narrowed by; empty values do not filter."""

    status: str = ""
    type_code: str = ""
    customer: Customer | uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""


def filtered(
    documents: QuerySet[Document], filters: DocumentFilters, *, entity: LegalEntity | None = None
) -> QuerySet[Document]:
    """Narrow `documents` by `filters`: lifecycle status, type, customer, issue dates, and a search on
    the number or the customer's name (`entity`: the documents' own, which scopes the customers the
    search reads first). An unknown status is refused, naming the field."""
    if filters.status:
        if filters.status not in Status.values:
            raise ValidationFailed(
                _("Unknown status '%(status)s'.") % {"status": filters.status},
                field="status",
                code="invalid_choice",
            )
        documents = documents.filter(status=filters.status)
    if filters.type_code:
        documents = documents.filter(type_code=filters.type_code)
    if filters.customer:
        documents = documents.filter(customer=filters.customer)
    if filters.date_from:
        documents = documents.filter(issue_date__gte=filters.date_from)
    if filters.date_to:
        documents = documents.filter(issue_date__lte=filters.date_to)
    if term := filters.search.strip():
        documents = documents.filter(_search(term, entity))
    return documents.select_related("customer")


SEARCH_CUSTOMERS = 200  # customers named by a search, looked up first; beyond, the term is common
DOCUMENT_INDEX = "invoicing_document_search"  # SQLite's FTS5 trigram index on numbers (invoicing 0013)


def _search(term: str, entity: LegalEntity | None) -> Q:
    """The number or the customer's name contains `term` (case-insensitive, accented letters too).

    The customers whose name matches are read first, at most `SEARCH_CUSTOMERS` + 1 of them (trigram
    index on PostgreSQL, parties 0003; FTS5 on SQLite, parties 0005). When they are few, the document
    side is `number LIKE … OR customer_id IN (…)`, which PostgreSQL answers from two indexes (the
    number's trigram index, invoicing 0009, and the customer foreign key's; BitmapOr) and sorts the few
    rows found. When they are many, the term is common: a list's first page is then found by reading
    the list's own order (its index) and checking each row's number and customer name, which stops
    after a few hundred rows; a sub-query of every matching customer (thousands, re-checked on the heap)
    would cost more than the page. SQLite looks numbers up in its FTS5 index (invoicing 0013).
    """
    customers = named(term, entity)
    ids = list(customers.values_list("pk", flat=True)[: SEARCH_CUSTOMERS + 1])
    by_number = matching(DOCUMENT_INDEX, f"number : {phrase(term)}") if indexed_on_sqlite(term) else (
        Q(number__icontains=term)
    )  # fmt: skip
    if len(ids) <= SEARCH_CUSTOMERS:
        return by_number | Q(customer_id__in=ids)
    if connection.vendor == "postgresql":
        return by_number | Q(customer__name__icontains=term)
    return by_number | Q(customer__in=customers)


def newest_first(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The order of the document lists: latest issue date first, drafts (no date yet) on top (the id
    breaks ties, so a page position (`ListPosition`) names one place in the order)."""
    return documents.order_by(F("issue_date").desc(nulls_first=True), "-created_at", "-id")


@dataclass(frozen=True)
class ListPosition:
    """Where a page of a `newest_first` list ended: the last row's sort key."""

    issue_date: dt.date | None
    created_at: dt.datetime
    pk: uuid.UUID

    @classmethod
    def of(cls, document: Document) -> "ListPosition":
        return cls(document.issue_date, document.created_at, document.pk)


def after(documents: QuerySet[Document], position: ListPosition) -> QuerySet[Document]:
    """The rows that come after `position` in `newest_first` order: a keyset page, read from the
    (entity, kind, issue_date, created_at) index instead of skipping an OFFSET of rows."""
    later = Q(created_at__lt=position.created_at) | Q(created_at=position.created_at, id__lt=position.pk)
    if position.issue_date is None:  # drafts come first: the rest of the drafts, then every dated row
        return documents.filter((Q(issue_date__isnull=True) & later) | Q(issue_date__isnull=False))
    return documents.filter(
        Q(issue_date__lt=position.issue_date) | (Q(issue_date=position.issue_date) & later)
    )


def oldest_first(documents: QuerySet[Document]) -> QuerySet[Document]:
    """The reverse of `newest_first` (to read the page before a position, then turn it round)."""
    return documents.order_by(F("issue_date").asc(nulls_last=True), "created_at", "id")


def before(documents: QuerySet[Document], position: ListPosition) -> QuerySet[Document]:
    """The rows that come before `position` in `newest_first` order (read them `oldest_first`)."""
    earlier = Q(created_at__gt=position.created_at) | Q(created_at=position.created_at, id__gt=position.pk)
    if position.issue_date is None:
        return documents.filter(Q(issue_date__isnull=True) & earlier)
    return documents.filter(
        Q(issue_date__isnull=True) | Q(issue_date__gt=position.issue_date)
        | (Q(issue_date=position.issue_date) & earlier)
    )  # fmt: skip


def lineage_of(document: Document) -> list[Document]:
    """The documents this one came from, oldest first (quote, order...)."""
    chain: list[Document] = []
    current = document.source
    while current is not None and len(chain) < 10:
        chain.insert(0, current)
        current = current.source
    return chain


def history_of(document: Document) -> QuerySet[AuditEvent]:
    """The document's audit events, oldest first: the history its page shows."""
    return (
        AuditEvent.objects.filter(
            entity=document.entity, object_type=document._meta.label_lower, object_id=str(document.pk)
        )
        .select_related("actor")
        .order_by("occurred_at", "position")
    )


def draft_lines(draft: Document, lines: list[services.LineData]) -> list[ResolvedLine]:
    """`lines` resolved for `draft` as saving resolves them: product defaults, pricing rules, VAT regime."""
    pricer = pricer_for(draft)
    return [resolve_line(line, index, draft, pricer) for index, line in enumerate(lines)]


def draft_totals(
    draft: Document,
    lines: list[services.LineData],
    allowances_charges: list[services.AllowanceChargeData],
    resolved: list[ResolvedLine] | None = None,
) -> Totals:
    """The totals `draft` (unsaved: its header as the editor has it) would have with these lines:
    each resolved as saving resolves it (product defaults, the customer's VAT regime), then the same
    EN 16931 calculation, with the deposits deducted and the VAT also in the accounting currency at
    the draft's exchange rate (BT-111), as the issued document shows it.

    Raises the services' ValidationFailed for a line they would refuse, CalculationError for figures.
    """
    resolved = resolved if resolved is not None else draft_lines(draft, lines)
    line_vats = {(r.vat_category, r.vat_rate) for r in resolved}
    ac_vats = [allowance_vat(draft.customer, ac, line_vats) for ac in allowances_charges]
    return compute_totals(
        [LineInput(quantity=r.quantity, unit_price=r.unit_price, vat_category=r.vat_category,
                   vat_rate=r.vat_rate, discount_percent=r.discount_percent) for r in resolved],
        [DocumentAllowanceCharge(is_charge=ac.is_charge, amount=ac.amount, percent=ac.percent,
                                 vat_category=category, vat_rate=rate, reason=ac.reason)
         for ac, (category, rate) in zip(allowances_charges, ac_vats, strict=True)],
        prepaid=draft.prepaid,
        exchange_rate=draft.exchange_rate if draft.currency != draft.entity.default_currency else None,
    )  # fmt: skip


def _permission(actor: Actor, document: Document) -> Callable[[Action], bool]:
    """Whether `authorize` (the services' own check) lets `actor` do an action on `document`; each
    action is asked once."""
    answers: dict[Action, bool] = {}

    def may(action: Action) -> bool:
        if action not in answers:
            try:
                authorize(actor, action, document.entity, document)
            except PermissionDenied:
                answers[action] = False
            else:
                answers[action] = True
        return answers[action]

    return may


def available_actions(actor: Actor, document: Document) -> dict[str, bool]:
    """The actions `actor` may take on `document` now (the buttons its page shows, and what a posted
    action is checked against): the lifecycle must allow the move and `authorize` the actor.

    The services make the same two checks when the action is taken; the permission is only asked
    once the lifecycle allows the move.
    """
    may = _permission(actor, document)
    status, kind = document.status, document.kind
    invoice = kind == Kind.INVOICE
    editable = is_editable(document)
    pending = invoice and status == Status.PENDING_APPROVAL
    issued = is_issued_invoice(document)
    return {
        "edit": editable and may(Action.EDIT_DOCUMENTS),
        "delete": invoice and editable and may(Action.EDIT_DOCUMENTS),
        "submit": invoice and editable and awaits_approval(document) and may(Action.SUBMIT),
        "approve": pending and can_move(document, Status.APPROVED) and may(Action.APPROVE),
        "reject": pending and can_move(document, Status.DRAFT) and may(Action.REJECT),
        "issue": invoice and can_move(document, Status.ISSUED) and not awaits_approval(document)
        and may(Action.ISSUE),
        # marking by hand is for an invoice delivered outside the platform, once, right after issue
        "mark_sent": invoice and status == Status.ISSUED and can_move(document, Status.SENT)
        and may(Action.ISSUE),
        "send": invoice and document.is_sealed and status in SENDABLE and may(Action.ISSUE),
        "payment": issued and status in OPEN_RECEIVABLE and may(Action.RECORD_PAYMENT),
        "credit": issued and status != Status.CANCELLED and may(Action.CREDIT),
        "to_order": kind == Kind.QUOTE and can_move(document, Status.CONVERTED) and may(Action.EDIT_DOCUMENTS),
        "to_invoice": kind in (Kind.QUOTE, Kind.ORDER) and can_move(document, Status.CONVERTED)
        and may(Action.EDIT_DOCUMENTS),
        "quote_status": kind == Kind.QUOTE and can_move(document, Status.ACCEPTED)
        and may(Action.EDIT_DOCUMENTS),
        "confirm": kind == Kind.ORDER and can_move(document, Status.CONFIRMED) and may(Action.EDIT_DOCUMENTS),
    }  # fmt: skip


def _today(entity: LegalEntity) -> dt.date:
    return timezone.localdate(timezone=ZoneInfo(entity.time_zone))


def pending_approval(entity: LegalEntity) -> QuerySet[Document]:
    """Invoices and credit notes of `entity` waiting for an approver's decision."""
    return Document.objects.filter(entity=entity, kind=Kind.INVOICE, status=Status.PENDING_APPROVAL)


def awaiting_approval_count(actor: Any | None, entity: LegalEntity) -> int:
    """`awaiting_approval_by(actor, entity).count()`, for the menu's "To approve" count of every staff page:
    the approval circuits (four queries) are read only when some document waits for someone other than
    its author, and counted again only when the circuits keep some of them from `actor`. For a signed-in
    user (every staff page), the same count in plain SQL (`approval_count.pending_for_user`: no query to build)."""
    user, key = user_and_key(actor)
    if user is not None and key is None:
        return pending_for_user(user, entity, _today(entity))
    documents = _not_own(pending_approval(entity), actor)
    count = documents.count()
    if count == 0 or user is None:
        return count
    others = not_for(user, entity, SubjectType.DOCUMENT, _today(entity))
    return documents.exclude(pk__in=others).count() if others else count


def _not_own(documents: QuerySet[Document], actor: Any | None) -> QuerySet[Document]:
    """Without the documents `actor` created or submitted (nobody approves their own)."""
    user, key = user_and_key(actor)
    if user is not None:
        documents = documents.exclude(created_by=user).exclude(submitted_by=user)
    if key is not None:
        documents = documents.exclude(created_by_key=key).exclude(submitted_by_key=key)
    return documents


def awaiting_approval_by(actor: Any | None, entity: LegalEntity) -> QuerySet[Document]:
    """Invoices and credit notes of `entity` pending approval that `actor` may decide on: not the ones
    they created or submitted (nobody approves their own), oldest submission first.

    The actor's role is the caller's business (the menu shows this only to roles that approve).
    """
    documents = _not_own(pending_approval(entity), actor)
    user, _key = user_and_key(actor)
    if user is not None:
        # approval circuits: only the documents whose current level this user may decide
        documents = documents.exclude(pk__in=not_for(user, entity, SubjectType.DOCUMENT, _today(entity)))
    return documents.select_related("customer", "submitted_by", "submitted_by_key").order_by(
        "submitted_at", "created_at"
    )

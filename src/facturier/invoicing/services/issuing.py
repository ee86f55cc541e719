"""Submit, approve, reject and issue invoices and credit notes.

Issuing is the legal moment: the number is taken, the customer and seller are snapshotted, the
document is sealed into its series' hash chain, and from then on nothing of it may change.

Issuing in parallel. The numbering series is locked (``take_number``) from the moment the number is
taken until the transaction commits, so only what must be serial runs after it: taking the number,
putting it into the e-invoice, storing the files, sealing, the audit event, in as few statements as
they allow (two on PostgreSQL, below): the series locked with its counter incremented in place, then
every row written by one statement. What does not name
the number is done before the lock: the validation report is built, the lines and allowances the seal
covers are read. The e-invoice is
validated *before* the lock (validation is most of an issue's time), on the XML of the document as it
will be issued except for its number, which is a provisional one, P (``provisional_number``: the next number
as read without a lock, never stored; the number column stays empty until the real one is taken, so it
never collides with a concurrent issuer's). Everything else the XML holds is final before the lock: the
totals, the snapshots, the due date and the issue date (``take_number`` keeps the day it is given or
refuses it) are set first, each already as its column stores it (``as_stored``: decimals at the column's
scale, plain dates, JSON of JSON's own types), so what the XML reads is what the database will hold; a
value that is not is saved and read back from the database first, as before. They are written with the
number and the seal, by the one UPDATE of the document under the lock.

Why the stored XML is the validated one. The e-invoice is mapped and serialized once, with P, and
those bytes are validated. Under the lock the real number N is taken and put into them
(``einvoice.renumbered``), and the result is stored and sealed, without a second validation, only if it
is provably what a serialization with N would give and differs from the validated bytes in the number
only: (1) N has the same shape as P (same length, digits where P has digits, the same other characters),
and (2) every occurrence of P in the bytes is one the serializers wrote for the number (BT-1, BT-83
which repeats it, and BT-10 in the PEPPOL variant when the buyer gave no reference): the mapped invoice
holds P in its number fields only (no other value contains it, as a text, a date or an amount), and each
file holds P exactly that many times, each time as a whole element text. The official rules (EN 16931,
BR-FR, Factur-X, PEPPOL) read the number only for its presence, length and characters, so every rule
gives the same result on N as on P. When either condition fails (a counter gaining a digit, P appearing
elsewhere), the XML is serialized again with N and validated in full under the lock: nothing is ever
stored unvalidated.

Statements (PostgreSQL): the document is read locked with its entity and customer, its lines (with
their products), allowances and deposits are read once; the provisional number needs no query once
this process has taken a number of the series (``numbering.provisional_numbers``). Then two statements
and the COMMIT, while the series is held: one locks the series, increments its counter and locks a free
audit chain (``numbering.take_number``); after the number is put into the bytes, the files written and
the seal computed, one more inserts the validation report and the files' rows, updates the document and
the series, appends the audit event, moves the chain head and inserts the outbox event
(``audit_record_many(writes=...)``). With 16 issuers on 2 cores the series holder is often preempted
while it waits for a reply, so every round trip under the lock lengthens everyone's wait.
``invoice_issue_many`` runs the writes per chunk, not per invoice: every write of the chunk is one
statement (reports, files, documents, audit events with the chain head and the outbox events), so a
chunk costs a constant number of statements.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor, UserActor, as_actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.roles import Action
from facturier.approvals import services as approvals
from facturier.approvals.models import RequestStatus, SubjectType
from facturier.audit.checkpoints import checkpoint_after_commit
from facturier.audit.keys import keyring
from facturier.audit.services import audit_record, audit_record_many
from facturier.common.errors import Conflict, ValidationFailed
from facturier.domain.approvals.rules import Facts
from facturier.domain.payment_terms import parse_terms
from facturier.invoicing import errors
from facturier.invoicing.hooks import issued_files_keeper
from facturier.invoicing.lifecycle import awaits_approval, check_transition
from facturier.invoicing.models import Document, Kind, Line, Status, TypeCode
from facturier.invoicing.numbering import (
    check_document_date,
    provisional_number,
    provisional_numbers,
    take_number,
)
from facturier.invoicing.sealing import seal
from facturier.invoicing.services.as_stored import PREPARED_FIELDS, as_stored
from facturier.invoicing.services.bulk_write import insert_statement, update_columns, update_statement
from facturier.invoicing.services.common import (
    customer_snapshot,
    entity_today,
    locked,
    seller_snapshot,
    state_of,
)
from facturier.invoicing.totals import apply_totals


def _require_invoice(document: Document) -> None:
    if document.kind != Kind.INVOICE:
        raise ValidationFailed(
            _("%(document)s is not an invoice.") % {"document": document}, code=errors.NOT_AN_INVOICE
        )


def _check_complete(document: Document) -> None:
    if not document.lines.exists():
        raise ValidationFailed(_("An invoice needs at least one line."), field="lines", code=errors.NO_LINES)
    if document.is_credit_note and document.preceding_invoice is None:
        raise ValidationFailed(
            _("A credit note must reference the invoice it credits."),
            field="preceding_invoice",
            code=errors.MISSING_REFERENCE,
        )


def _require_pending(invoice: Document, target: str) -> None:
    """Approving and rejecting only apply to a submitted invoice."""
    if invoice.status != Status.PENDING_APPROVAL:
        raise Conflict(
            _("Cannot move %(invoice)s from '%(label)s' to '%(label2)s': it is not pending approval.") % {"invoice": invoice, "label": Status(invoice.status).label, "label2": Status(target).label},
            code=errors.ILLEGAL_TRANSITION, current_status=invoice.status, requested_status=target,
        )  # fmt: skip


def _transition(document: Document, target: str, by: Actor, action: str, **changes: Any) -> Document:
    before = state_of(document)
    check_transition(document, target)
    document.status = target
    for name, value in changes.items():
        setattr(document, name, value)
    document.save()
    audit_record(
        entity=document.entity, actor=by, action=action, obj=document, before=before, after=state_of(document)
    )
    return document


def approval_facts(invoice: Document, cost_centre: str = "") -> Facts:
    """What the approval rules look at (approvals sits below invoicing: it gets plain values)."""
    return Facts(
        amount=invoice.tax_inclusive if invoice.tax_inclusive is not None else invoice.tax_exclusive,
        currency=invoice.currency,
        document_type="credit_note" if invoice.is_credit_note else "invoice",
        entity_id=str(invoice.entity_id),
        country=invoice.customer.country if invoice.customer_id else "",
        party_id=str(invoice.customer_id or ""),
        cost_centre=cost_centre or invoice.cost_centre,  # the document's, unless the caller names one
    )


@transaction.atomic
def invoice_submit(*, invoice: Document, by: Actor, cost_centre: str = "") -> Document:
    """Draft -> pending approval when an approval rule applies (or the entity's simple
    ``requires_approval``, one level), else straight to approved.

    The submitter (user or API key) is recorded: they may not approve it afterwards. A circuit nobody
    could decide is refused here, with the level and rule that lack an approver.
    """
    invoice = locked(invoice)
    _require_invoice(invoice)
    authorize(by, Action.SUBMIT, invoice.entity, invoice)
    _check_complete(invoice)
    apply_totals(invoice)
    user, key = user_and_key(by)
    authors = (
        set(invoice.authors())
        | ({f"user:{user.pk}"} if user else set())
        | ({f"apikey:{key.pk}"} if key else set())
    )
    request = approvals.request_open(
        entity=invoice.entity, by=by, subject_type=SubjectType.DOCUMENT, subject_id=invoice.pk,
        label=_label(invoice), facts=approval_facts(invoice, cost_centre), authors=authors,
        default_one_level=invoice.entity.requires_approval,
    )  # fmt: skip
    target = Status.PENDING_APPROVAL if request is not None else Status.APPROVED
    return _transition(invoice, target, by, "invoice.submitted", submitted_at=timezone.now(),
                       submitted_by=user, submitted_by_key=key)  # fmt: skip


def _label(invoice: Document) -> str:
    kind = _("Credit note") if invoice.is_credit_note else _("Invoice")
    name = invoice.customer.name if invoice.customer_id else ""
    return f"{kind} {name} {invoice.tax_inclusive} {invoice.currency}".strip()


@transaction.atomic
def invoice_approve(*, invoice: Document, by: Actor, comment: str = "") -> Document:
    """Approve the level of the circuit waiting for `by`; the document is approved once every level is.

    Refused to whoever created or submitted it, to anyone who approved it already at another level, and
    to someone who is not an approver of the current level (delegates stand in for absent approvers).
    API keys need the `<resource>:approve` scope, which `<resource>:write` does not imply.
    """
    invoice = locked(invoice)
    _require_invoice(invoice)
    authorize(by, Action.APPROVE, invoice.entity, invoice)
    _require_pending(invoice, Status.APPROVED)
    request = approvals.pending_request(SubjectType.DOCUMENT, invoice.pk)
    if request is not None:  # documents submitted before circuits existed have none: one level
        request = approvals.request_decide(request=request, by=by, approve=True, comment=comment)
        if request.status != RequestStatus.APPROVED:
            return invoice
    user, key = user_and_key(by)
    return _transition(invoice, Status.APPROVED, by, "invoice.approved", approved_at=timezone.now(),
                       approved_by=user, approved_by_key=key)  # fmt: skip


@transaction.atomic
def invoice_reject(*, invoice: Document, by: Actor, reason: str) -> Document:
    """Pending approval -> draft, with the approver's comment (kept on the document and in its history).

    Its submitter may reject it too: that withdraws it, it approves nothing.
    """
    invoice = locked(invoice)
    _require_invoice(invoice)
    authorize(by, Action.REJECT, invoice.entity, invoice)
    _require_pending(invoice, Status.DRAFT)
    if not reason.strip():
        raise ValidationFailed(_("Say why the invoice is rejected."), field="reason", code=errors.REQUIRED)
    comment = reason.strip()
    request = approvals.pending_request(SubjectType.DOCUMENT, invoice.pk)
    if request is not None:
        approvals.request_decide(request=request, by=by, approve=False, comment=comment)
    before = state_of(invoice)
    check_transition(invoice, Status.DRAFT)
    invoice.status, invoice.rejection_reason = Status.DRAFT, comment
    invoice.save()
    audit_record(entity=invoice.entity, actor=by, action="invoice.rejected", obj=invoice, before=before,
                 after={**state_of(invoice), "comment": comment})  # fmt: skip
    return invoice


# written by one UPDATE under the numbering lock; the other sealed columns were saved and read back before it
ISSUED_FIELDS = [
    "number", "series", "status", "issued_at", "updated_at",
    "seal_position", "seal_previous_hash", "seal_hash", "seal_key_id",
]  # fmt: skip
# read back after a first save (as the columns store them); relations and their caches are kept
_STORED_FIELDS = [f.attname for f in Document._meta.concrete_fields if not f.is_relation]


def _locked_for_issue(invoice: Document) -> Document:
    """The document locked (its row only), with its entity and customer, and what the XML and the seal
    read of it: its lines with their products, allowances and charges, deposits (one query each)."""
    current: Document = (
        Document.objects.select_for_update(of=("self",))
        .select_related("entity", "customer")
        .get(pk=invoice.pk)
    )
    _prefetch_children(current)
    return current


def _locked_many(invoices: list[Document]) -> list[Document]:
    """``_locked_for_issue`` for several documents: locked in one statement (in primary key order, so
    that two overlapping lists never wait for each other crosswise), returned in the list's order."""
    ids = [invoice.pk for invoice in invoices]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(_("A document is listed twice."), code="mixed_series")
    rows = {
        row.pk: row
        for row in Document.objects.select_for_update(of=("self",))
        .select_related("entity", "customer")
        .filter(pk__in=ids)
        .order_by("pk")
    }
    if len(rows) != len(ids):
        raise Document.DoesNotExist("a listed document does not exist")
    current = [rows[pk] for pk in ids]
    prefetch_related_objects(current, *_children())
    return current


def _prefetch_children(invoice: Document, *, refresh: bool = False) -> None:
    cache = getattr(invoice, "_prefetched_objects_cache", {})
    if refresh:
        cache.pop("lines", None)
        cache.pop("allowances_charges", None)
    prefetch_related_objects([invoice], *_children(deposits=not refresh))


def _children(*, deposits: bool = True) -> list[Any]:
    """What the XML and the seal read of a document besides its row: lines with their products,
    allowances and charges, and (unchanged by totals) the deducted deposits in their order."""
    lookups: list[Any] = [
        Prefetch("lines", queryset=Line.objects.select_related("product")),
        "allowances_charges",
    ]
    if deposits:
        lookups.append(Prefetch("deposits", queryset=Document.objects.order_by("issue_date", "number")))
    return lookups


def _child_amounts(invoice: Document) -> list[Any]:
    return [(line.pk, line.net_amount) for line in invoice.lines.all()] + [
        (ac.pk, ac.amount) for ac in invoice.allowances_charges.all()
    ]


@dataclass
class _Prepared:
    """One invoice made ready for its number before the lock: saved, serialized and validated with P."""

    invoice: Document
    before: dict[str, Any]
    provisional: str
    mapped: Any  # the EN 16931 invoice the validated bytes were serialized from
    checked: dict[str, bytes]
    report: Any  # the validation report, None when validation is off
    report_row: Any = None  # its row, unsaved (the caller inserts it before the lock)
    files: dict[str, bytes] = field(default_factory=dict)  # under the lock: the bytes to store
    validated: set[str] = field(default_factory=set)


@transaction.atomic
def invoice_issue(*, invoice: Document, by: Actor, issue_date: dt.date | None = None) -> Document:
    """Number, snapshot, seal. Refused unless approved (or a draft when the entity needs no approval).

    `issue_date` (default: today in the entity's time zone) lets imports and the demo backfill issue
    "as of" a past day; a day after the numbering window is refused, and so is a day before the series' last one.
    """
    invoice = _locked_for_issue(invoice)
    day = issue_date or entity_today(invoice.entity)
    code = _series_code(invoice)
    keys = keyring()  # read before the series is locked: the lock covers numbering and sealing only
    prepared = _prepare(invoice, by, day, provisional_number(entity=invoice.entity, code=code, day=day))
    # 3. the locked section: the series locked with its counter incremented and an audit chain locked
    # (one statement on PostgreSQL), the number put into the validated bytes, the files written, the
    # seal; then every row in one statement: the files' rows, the document (the number, the seal and
    # what was prepared before the lock), the series, the audit event with its chain head and outbox event
    taken = take_number(
        entity=invoice.entity, code=code, day=day, save_series=False, audit_owner=str(invoice.entity.pk)
    )
    _renumber(prepared, taken.number, taken.series)
    keeper = issued_files_keeper()
    # the validation report first (it does not name the number: the same row as inserted before the lock)
    writes = [insert_statement([prepared.report_row])] if prepared.report_row is not None else []
    if keeper.file_rows is not None:
        rows = keeper.file_rows(document=invoice, files=prepared.files, validated=prepared.validated)
        seal(invoice, taken.series, keys, stored_files=rows)
        if rows:
            writes.append(insert_statement(rows))
    else:
        stored = keeper.store(document=invoice, files=prepared.files, validated=prepared.validated)
        seal(invoice, taken.series, keys, stored_files=stored if isinstance(stored, list) else None)
    writes.append(update_statement(invoice, ISSUED_FIELDS + PREPARED_FIELDS))
    writes.append(update_statement(taken.series, ["last_issue_date", "chain_hash", "chain_length"]))
    _after_issue([prepared], by, head=taken.audit_head, writes=writes)
    return invoice


def invoice_issue_many(
    *, invoices: Sequence[Document], by: Actor, issue_date: dt.date | None = None, chunk_size: int = 100
) -> list[Document]:
    """Issue several invoices (or credit notes) of one entity and one series, in their order, one
    transaction per ``chunk_size`` of them: the series is locked once per chunk and the chunk's numbers
    taken at once (consecutive, in the list's order, all dated ``issue_date``). Each invoice is checked,
    serialized and validated as ``invoice_issue`` does, before the lock; an invoice that cannot be issued
    rolls its whole chunk back (the chunks before it stay issued), so a failure never leaves a gap. The
    chunk's reports, files, documents and audit events (sealed and chained one after another, with
    their outbox events) are each written by one statement; one checkpoint follows each chunk.
    """
    issued: list[Document] = []
    for start in range(0, len(invoices), max(1, chunk_size)):
        issued += _issue_chunk(list(invoices[start : start + max(1, chunk_size)]), by, issue_date)
    return issued


@transaction.atomic
def _issue_chunk(invoices: list[Document], by: Actor, issue_date: dt.date | None) -> list[Document]:
    if not invoices:
        return []
    locked_rows = _locked_many(invoices)
    entity, code = locked_rows[0].entity, _series_code(locked_rows[0])
    if any(row.entity_id != entity.pk or _series_code(row) != code for row in locked_rows):
        raise ValidationFailed(
            _("Documents issued together must belong to one company and one numbering series."),
            code="mixed_series",
        )
    day = issue_date or entity_today(entity)
    keys = keyring()
    by = _role_read_once(by, entity)
    provisional = provisional_numbers(entity=entity, code=code, day=day, count=len(locked_rows))
    prepared = [_prepare(row, by, day, number) for row, number in zip(locked_rows, provisional, strict=True)]
    reports = [item.report_row for item in prepared if item.report_row is not None]
    if reports:
        from facturier.invoicing.einvoice import store_reports

        store_reports(reports)
    taken = take_number(entity=entity, code=code, day=day, save_series=False, count=len(prepared))
    for item, number in zip(prepared, taken.numbers, strict=True):
        _renumber(item, number, taken.series)
    keeper = issued_files_keeper()
    stored: Sequence[object]
    if keeper.store_many is not None:  # every file row of the chunk in one insert
        stored = keeper.store_many(batch=[(item.invoice, item.files, item.validated) for item in prepared])
    else:
        stored = [keeper.store(document=i.invoice, files=i.files, validated=i.validated) for i in prepared]
    for item, rows in zip(prepared, stored, strict=True):
        seal(item.invoice, taken.series, keys, stored_files=rows if isinstance(rows, list) else None)
    update_columns(Document, [item.invoice for item in prepared], ISSUED_FIELDS + PREPARED_FIELDS)
    taken.series.save(update_fields=["last_issue_date", "chain_hash", "chain_length"])
    _after_issue(prepared, by)
    return [item.invoice for item in prepared]


@dataclass(frozen=True)
class _RoleKnown(UserActor):
    """A user whose role in the chunk's entity was read once for the chunk (one query, not one per
    invoice); any other entity is asked as usual. Same identity, label and user as the actor it stands for."""

    entity_id: Any = None
    role: str | None = None

    def role_in(self, entity: Any) -> str | None:
        return self.role if entity.pk == self.entity_id else super().role_in(entity)


def _role_read_once(by: Actor, entity: Any) -> Actor:
    acting = as_actor(by)
    if type(acting) is not UserActor:
        return acting
    return _RoleKnown(acting.account, entity_id=entity.pk, role=acting.role_in(entity))


def _series_code(invoice: Document) -> str:
    return "credit_note" if invoice.type_code == TypeCode.CREDIT_NOTE else "invoice"


def _prepare(invoice: Document, by: Actor, day: dt.date, provisional: str) -> _Prepared:
    """Steps 1 and 2 of an issue, on the locked document: checks, totals, snapshots saved and read back,
    the e-invoice serialized with the provisional number and validated (module docstring)."""
    _require_invoice(invoice)
    entity = invoice.entity
    authorize(by, Action.ISSUE, entity, invoice)
    if awaits_approval(invoice):
        raise Conflict(
            _("%(invoice)s must be approved before it is issued.") % {"invoice": invoice},
            code=errors.APPROVAL_REQUIRED, current_status=invoice.status, requested_status=Status.ISSUED,
        )  # fmt: skip
    check_transition(invoice, Status.ISSUED)
    _check_complete(invoice)
    check_document_date(entity, day)  # before totals and snapshots; take_number checks it too
    before = state_of(invoice)
    amounts = _child_amounts(invoice)
    apply_totals(invoice)
    if _child_amounts(invoice) != amounts:  # lines or allowances were rewritten: read them as stored
        _prefetch_children(invoice, refresh=True)
    # 1. everything but the number, saved and read back (normalized by the column types)
    invoice.issue_date = day
    invoice.due_date = parse_terms(invoice.payment_terms).due_date(day)
    invoice.seller_snapshot = seller_snapshot(entity)
    invoice.customer_snapshot = customer_snapshot(invoice)
    invoice.vat_on_debits = entity.vat_on_debits
    invoice.operation_category = str(invoice.operation_category)  # a plain str, as the column returns it
    if not as_stored(invoice):  # a value the column would change: saved and read back as stored
        invoice.save()
        invoice.refresh_from_db(fields=_STORED_FIELDS)  # the entity, customer and prefetched rows are kept
    from facturier.invoicing.einvoice import entity_format, issued_xml, report_row, validate_for_issue

    # 2. serialized once and validated with a provisional number, before the lock (module docstring);
    # what does not name the number is written before the lock too: the validation report
    invoice.number = provisional
    mapped, checked = issued_xml(invoice)
    report = validate_for_issue(invoice, files=checked)  # an error-level finding rolls the whole issue back
    row = None
    if report is not None:
        syntax, profile = entity_format(invoice)
        row = report_row(invoice, report, syntax=syntax, profile=profile)
    return _Prepared(invoice, before, provisional, mapped, checked, report, row)


def _renumber(item: _Prepared, number: str, series: Any) -> None:
    """Under the lock: the real number into the validated bytes (or validated again); ``item.files``
    are the bytes to store, ``item.validated`` the kinds validated."""
    from facturier.invoicing.einvoice import issued_xml_files, renumbered, validate_for_issue, validated_kinds

    invoice, report = item.invoice, item.report
    invoice.number, invoice.series = number, series
    invoice.status = Status.ISSUED
    invoice.issued_at = invoice.updated_at = timezone.now()  # bulk_update does not set auto_now fields
    files = renumbered(item.mapped, item.checked, item.provisional, number)
    if files is None:  # rare: the number changed more than its digits, or P is written elsewhere too
        files = issued_xml_files(invoice)
        if report is not None:
            report = validate_for_issue(invoice, files=files)
    item.files = files
    item.validated = validated_kinds(invoice, files) if report is not None else set()


def _after_issue(
    items: list[_Prepared], by: Actor, *, head: Any = None, writes: Sequence[tuple[str, list[Any]]] = ()
) -> None:
    """The audit events of the issued documents (of one entity), appended at once in the chain this
    transaction holds (``head`` when already locked), with the caller's ``writes`` in the same statement
    (``audit_record_many``); one checkpoint after the commit; credit notes applied; PDFs queued."""
    entity = items[0].invoice.entity
    changes = [(item.invoice, item.before, state_of(item.invoice)) for item in items]
    audit_record_many(
        entity=entity, actor=by, action="invoice.issued", changes=changes, head=head, writes=writes
    )
    checkpoint_after_commit(entity)
    keeper = issued_files_keeper()
    for item in items:
        if item.invoice.is_credit_note:
            from facturier.invoicing.services.after_issue import apply_issued_credit_note

            apply_issued_credit_note(credit_note=item.invoice, by=by)
        keeper.schedule_pdf(item.invoice)  # the Factur-X PDF is rendered by a task once this commits

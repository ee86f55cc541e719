"""Receiving supplier e-invoices: ``einvoice_import`` turns uploaded bytes into inbox rows.

Transactions: a single file is imported in one transaction (supplier, row, audit event), and its
original is written to storage inside it and removed again if the transaction fails. A zip is
imported member by member, each in its own transaction: a refused or failing member never
leaves anything behind, and never undoes the members imported before it. The result lists every
member with its record or its error, so the caller can report exactly what happened.

Idempotency: the SHA-256 of the bytes identifies a file per entity. Importing the same bytes again
creates nothing and returns the existing row (``created=False``, ``duplicate_file=True``). A
different file carrying an invoice already received from the same supplier under the same number
is kept, with status ``duplicate`` and a link to the first one.
"""

import hashlib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.accounts.actor import Actor
from facturier.accounts.authorization import authorize, user_and_key
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.approvals.models import SubjectType
from facturier.approvals.services import withdraw
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict
from facturier.inbox import containers, errors, reading
from facturier.inbox.approval import open_circuit
from facturier.inbox.errors import InboxImportError
from facturier.inbox.limits import InboxLimits
from facturier.inbox.models import Channel, ReceivedFormat, ReceivedInvoice, ReceivedStatus, ValidationOutcome
from facturier.inbox.suppliers import supplier_for_seller


@dataclass
class ImportItem:
    """The outcome for one file (a single upload, or one member of a zip)."""

    filename: str
    record: ReceivedInvoice | None = None
    created: bool = False
    error: InboxImportError | None = None

    @property
    def duplicate_file(self) -> bool:
        return self.record is not None and not self.created

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ImportResult:
    filename: str
    sha256: str
    is_archive: bool = False
    items: list[ImportItem] = field(default_factory=list)

    @property
    def records(self) -> list[ReceivedInvoice]:
        return [item.record for item in self.items if item.record is not None]

    @property
    def created(self) -> list[ReceivedInvoice]:
        return [item.record for item in self.items if item.record is not None and item.created]

    @property
    def failed(self) -> list[ImportItem]:
        return [item for item in self.items if item.error is not None]


def _status_for(outcome: str, report: dict[str, Any], duplicate_of: ReceivedInvoice | None) -> str:
    if duplicate_of is not None:
        return ReceivedStatus.DUPLICATE
    if (
        outcome != ValidationOutcome.VALID
        or report["error_count"]
        or report["warning_count"]
        and any(f["source"] == "inbox" and f["severity"] == "warning" for f in report["findings"])
    ):
        return ReceivedStatus.NEEDS_REVIEW
    return ReceivedStatus.RECEIVED


_MAX_AMOUNT = Decimal(10) ** 17


def _amount(value: Decimal, term: str) -> Decimal:
    """A document total rounded to cents for the inbox columns (the XML keeps the exact value)."""
    if not value.is_finite() or abs(value) >= _MAX_AMOUNT:
        raise InboxImportError(
            _("The invoice total %(term)s (%(value)s) is out of range.") % {"term": term, "value": value},
            code=errors.UNREADABLE_INVOICE,
        )
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _payee_account(invoice: Any) -> str:
    """The first credit transfer account (BT-84), if the invoice names one."""
    instructions = invoice.payment_instructions
    if instructions is None or not instructions.credit_transfers:
        return ""
    return "".join(instructions.credit_transfers[0].account_id.split())[:64]


def clean_filename(name: str) -> str:
    """The sender's file name, for display only: no control characters, no folders, bounded."""
    printable = "".join(ch for ch in name if ch.isprintable())
    return (printable.replace("\\", "/").rsplit("/", 1)[-1] or "invoice")[:255]


def _existing(entity: LegalEntity, sha256: str) -> ReceivedInvoice | None:
    return ReceivedInvoice.objects.filter(entity=entity).filter(sha256=sha256).first()


def _import_one(
    *,
    entity: LegalEntity,
    by: Actor,
    filename: str,
    content: bytes,
    channel: str,
    limits: InboxLimits,
    archive: tuple[str, str] = ("", ""),
) -> ImportItem:
    """Import one non-archive file. Raises InboxImportError when refused (nothing written)."""
    containers.check_size(content, limits)
    sha256 = hashlib.sha256(content).hexdigest()
    existing = _existing(entity, sha256)
    if existing is not None:
        return ImportItem(filename=filename, record=existing, created=False)
    kind = containers.sniff(content)
    if kind == "zip":
        raise InboxImportError(
            _("%(name)s is an archive inside the archive: refused.") % {"name": filename},
            code="inbox_zip_nested",
        )
    pdf = containers.extract_pdf_xml(content, limits) if kind == "pdf" else None
    xml = pdf.xml if pdf is not None else content
    parsed = reading.parse_document(xml, max_bytes=limits.max_file_bytes)
    outcome, report = reading.run_validation(xml, parsed)
    extra = reading.profile_findings(parsed) + reading.buyer_findings(
        parsed.invoice, entity_siren=entity.siren, entity_vat=entity.vat_number
    )
    if pdf is not None:
        extra += reading.pdf_findings(parsed, pdf.conformance_level)
    report = reading.add_findings(report, extra)
    try:
        return _store(
            entity=entity, by=by, filename=filename, content=content, xml=xml if kind == "pdf" else None,
            sha256=sha256, parsed=parsed, outcome=outcome, report=report, channel=channel, archive=archive,
        )  # fmt: skip
    except IntegrityError:
        # The same bytes were imported concurrently: the other transaction's row is the answer.
        existing = _existing(entity, sha256)
        if existing is None:
            raise
        return ImportItem(filename=filename, record=existing, created=False)


def _store(
    *,
    entity: LegalEntity,
    by: Actor,
    filename: str,
    content: bytes,
    xml: bytes | None,
    sha256: str,
    parsed: reading.ParsedDocument,
    outcome: str,
    report: dict[str, Any],
    channel: str,
    archive: tuple[str, str],
) -> ImportItem:
    invoice = parsed.invoice
    totals = invoice.totals
    record = ReceivedInvoice(
        entity=entity,
        channel=channel,
        received_by=user_and_key(by)[0],
        original_filename=clean_filename(filename),
        size=len(content),
        sha256=sha256,
        archive_filename=clean_filename(archive[0]) if archive[0] else "",
        archive_sha256=archive[1],
        format=ReceivedFormat.FACTURX_PDF if xml is not None else parsed.format,
        syntax=parsed.syntax,
        profile=parsed.profile,
        specification_identifier=invoice.specification_identifier[:200],
        number=invoice.number[:200],
        type_code=invoice.type_code[:3],
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=invoice.currency_code[:3],
        tax_exclusive=_amount(totals.tax_exclusive_total, "BT-109"),
        tax_total=None if totals.tax_total is None else _amount(totals.tax_total, "BT-110"),
        tax_inclusive=_amount(totals.tax_inclusive_total, "BT-112"),
        amount_due=_amount(totals.amount_due, "BT-115"),
        seller_name=invoice.seller.name[:200],
        buyer_name=invoice.buyer.name[:200],
        buyer_reference=(invoice.buyer_reference or "")[:200],
        purchase_order_reference=(invoice.purchase_order_reference or "")[:200],
        payee_account=_payee_account(invoice),
        validation=outcome,
        validation_report=report,
        error_count=report["error_count"],
        warning_count=report["warning_count"],
    )
    written: list[str] = []
    try:
        with transaction.atomic():
            supplier = supplier_for_seller(entity=entity, seller=invoice.seller, by=by)
            record.supplier = supplier
            original = (
                ReceivedInvoice.objects.filter(entity=entity)
                .filter(supplier=supplier, number=record.number, duplicate_of__isnull=True)
                .first()
            )
            record.duplicate_of = original
            record.status = _status_for(outcome, report, original)
            record.original.save("original", ContentFile(content), save=False)
            written.append(str(record.original.name))
            if xml is not None:
                record.xml.save("invoice.xml", ContentFile(xml), save=False)
                written.append(str(record.xml.name))
            record.save(force_insert=True)
            audit_record(
                entity=entity,
                actor=by,
                action="inbox.received",
                obj=record,
                after={
                    "file": filename,
                    "sha256": sha256,
                    "supplier": supplier.name,
                    "number": record.number,
                    "status": record.status,
                    "validation": outcome,
                },
            )
    except BaseException:
        storage = ReceivedInvoice._meta.get_field("original").storage
        for name in written:
            storage.delete(name)
        raise
    return ImportItem(filename=filename, record=record, created=True)


def _import_archive(
    *,
    entity: LegalEntity,
    by: Actor,
    filename: str,
    content: bytes,
    channel: str,
    limits: InboxLimits,
    sha256: str,
) -> ImportResult:
    result = ImportResult(filename=filename, sha256=sha256, is_archive=True)
    for member in containers.zip_members(content, limits):
        if member.error is not None or member.content is None:
            result.items.append(ImportItem(filename=member.name, error=member.error))
            continue
        try:
            item = _import_one(
                entity=entity, by=by, filename=member.name, content=member.content,
                channel=channel, limits=limits, archive=(filename, sha256),
            )  # fmt: skip
        except InboxImportError as exc:
            item = ImportItem(filename=member.name, error=exc)
        result.items.append(item)
    return result


def einvoice_import(
    *, entity: LegalEntity, by: Actor, filename: str, content: bytes, channel: str = Channel.UPLOAD
) -> ImportResult:
    """Receive one file: a Factur-X/ZUGFeRD PDF, a CII or UBL XML, or a zip of those.

    Raises :class:`InboxImportError` when the file itself is refused (too large, unreadable,
    hostile, PDF without or with several XML, zip bomb...): then nothing was written. A zip whose
    members are refused one by one does not raise: see ``ImportResult.failed``.
    ``by`` is the actor, checked for the right to import into the inbox.
    """
    authorize(by, Action.EDIT_DOCUMENTS, entity, resource="inbox")
    limits = InboxLimits.from_settings()
    containers.check_size(content, limits)
    sha256 = hashlib.sha256(content).hexdigest()
    if containers.sniff(content) == "zip":
        return _import_archive(
            entity=entity,
            by=by,
            filename=filename,
            content=content,
            channel=channel,
            limits=limits,
            sha256=sha256,
        )
    item = _import_one(
        entity=entity, by=by, filename=filename, content=content, channel=channel, limits=limits
    )
    return ImportResult(filename=filename, sha256=sha256, items=[item])


_DECISIONS = {ReceivedStatus.ACCEPTED: "inbox.accepted", ReceivedStatus.REJECTED: "inbox.rejected"}


@transaction.atomic
def received_invoice_decide(
    *, received: ReceivedInvoice, by: Actor, accept: bool, reason: str = ""
) -> ReceivedInvoice:
    """Accept (to be booked and paid) or reject (with a reason) a received invoice; duplicates cannot be accepted.

    When the entity uses approval circuits, accepting opens the invoice's circuit instead and it is
    accepted once approved (``inbox.approval``); the row is returned unchanged meanwhile."""
    authorize(by, Action.ISSUE, received.entity, resource="inbox")
    received = ReceivedInvoice.objects.select_for_update().get(pk=received.pk)
    status = ReceivedStatus.ACCEPTED if accept else ReceivedStatus.REJECTED
    if received.status in (ReceivedStatus.ACCEPTED, ReceivedStatus.REJECTED):
        raise Conflict(
            _("This invoice was already %(status)s.") % {"status": received.get_status_display().lower()}
        )
    if accept and received.status == ReceivedStatus.DUPLICATE:
        raise Conflict(_("A duplicate cannot be accepted: accept the original invoice instead."))
    if not accept and not reason.strip():
        raise InboxImportError(
            _("Say why the invoice is rejected."), field="reason", code="inbox_reason_required"
        )
    if accept and open_circuit(received, by) is not None:
        return received  # accepted when its approval circuit ends (inbox.approval)
    if not accept:
        withdraw(subject_type=SubjectType.RECEIVED_INVOICE, subject_id=received.pk)
    before = {"status": received.status}
    received.status = status
    received.decided_at = timezone.now()
    received.decision_reason = reason.strip()
    received.save(update_fields=["status", "decided_at", "decision_reason", "updated_at"])
    audit_record(
        entity=received.entity, actor=by, action=_DECISIONS[status], obj=received,
        before=before, after={"status": status, "reason": received.decision_reason},
    )  # fmt: skip
    return received

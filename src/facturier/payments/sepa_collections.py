"""Collecting open invoices by SEPA direct debit: schedule, pre-notify, file, book, handle returns.

1. `collections_schedule(entity, date)`: every issued invoice due by `date`, with a balance, whose
   customer has a usable mandate, gets one collection row (never two live ones per invoice); the
   debtor is pre-notified by email (at least `prenotification_days` before, D-14 by default).
2. `collection_file_generate(entity, date)`: the scheduled collections of that date go into one
   pain.008 file (batches per scheme and sequence type), stored; run again, it collects nothing twice.
3. `collection_file_book(file)`: the bank credited the collection: one payment per invoice is
   recorded and allocated (method direct debit, reference = end-to-end id).
4. `handle_direct_debit_return(entity, end_to_end_id, reason)`: an R-transaction reverses that
   payment and reopens the invoice, keeping the ISO reason code (AM04, MD06…).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.settings.email import connection_options
from facturier.accounts import authorization
from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.accounts.roles import Action
from facturier.audit.services import audit_record
from facturier.common.errors import Conflict, NotFound, ValidationFailed
from facturier.domain.sepa import (
    CollectionBatch,
    CollectionMessage,
    DirectDebit,
    Party,
    SepaError,
    build_pain008,
)
from facturier.domain.sepa.charset import sepa_identifier
from facturier.invoicing.models import Document, Status
from facturier.payments import errors
from facturier.payments.mandates import (
    CollectionStatus,
    DirectDebitCollection,
    Mandate,
    MandateStatus,
    SepaFile,
    SepaFileKind,
)
from facturier.payments.models import Method
from facturier.payments.selectors import receivable_invoices, still_owed
from facturier.payments.sepa_mandates import mandate_usable, next_sequence, sepa_creditor_of
from facturier.payments.services import payment_record, payment_reverse

logger = logging.getLogger(__name__)
COLLECTABLE = (Status.ISSUED, Status.SENT)  # a disputed invoice is not collected

# ISO 20022 external status reason codes of SEPA R-transactions (EPC guidance), shown to the user.
RETURN_REASONS = {
    "AC01": "Incorrect account number", "AC04": "Closed account", "AC06": "Blocked account",
    "AC13": "Debtor account is a consumer account", "AG01": "Transaction forbidden on this account",
    "AG02": "Invalid bank operation code", "AM04": "Insufficient funds", "AM05": "Duplicate collection",
    "BE05": "Unrecognised initiating party", "CNOR": "Creditor bank not registered",
    "DNOR": "Debtor bank not registered", "FF01": "Invalid file format", "MD01": "No valid mandate",
    "MD02": "Missing mandate data", "MD06": "Refund requested by the debtor", "MD07": "Debtor deceased",
    "MS02": "Refused by the debtor", "MS03": "Reason not specified", "RC01": "Incorrect BIC",
    "RR01": "Missing debtor account or identification", "RR02": "Missing debtor name or address",
    "RR03": "Missing creditor name or address", "RR04": "Regulatory reason", "SL01": "Specific service of the debtor bank",
}  # fmt: skip


def return_reason_label(code: str) -> str:
    return f"{code} - {RETURN_REASONS.get(code.upper(), 'Unknown reason')}" if code else "Unknown reason"


def _end_to_end_id(document: Document) -> str:
    return sepa_identifier(f"{document.number[:22]}-{uuid.uuid4().hex[:8].upper()}", 35)


def _due_invoices(entity: LegalEntity, collection_date: dt.date) -> Any:
    live = DirectDebitCollection.objects.exclude(status=CollectionStatus.RETURNED).values("document")
    documents = receivable_invoices(entity).filter(
        status__in=COLLECTABLE, due_date__lte=collection_date, currency="EUR",
        customer__mandates__status=MandateStatus.ACTIVE,
    ).exclude(pk__in=live).distinct()  # fmt: skip
    return still_owed(documents).select_related("customer").order_by("due_date", "number")


def _has_live_collection(mandate: Mandate) -> bool:
    """A one-off mandate collects one invoice: once it has a collection (not returned), it takes no other."""
    return (
        DirectDebitCollection.objects.filter(mandate=mandate)
        .exclude(status=CollectionStatus.RETURNED)
        .exists()
    )


@transaction.atomic
def collections_schedule(
    *, entity: LegalEntity, collection_date: dt.date, by: Actor, today: dt.date | None = None
) -> list[DirectDebitCollection]:
    """Schedule the collection at `collection_date` of every open invoice due by then (see module doc)."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    creditor = sepa_creditor_of(entity)
    today = today or timezone.localdate()
    if collection_date < today + dt.timedelta(days=creditor.prenotification_days):
        raise ValidationFailed(
            _("Debtors must be notified %(days)s days before the collection: choose %(date)s or later.")
            % {"days": creditor.prenotification_days,
               "date": today + dt.timedelta(days=creditor.prenotification_days)},
            field="collection_date", code=errors.PRENOTIFICATION_TOO_LATE,
        )  # fmt: skip
    scheduled = []
    for document in _due_invoices(entity, collection_date):
        mandates = Mandate.objects.filter(customer=document.customer, status=MandateStatus.ACTIVE)
        mandate = next(
            (m for m in mandates.order_by("-signed_on")
             if mandate_usable(m, collection_date, by) and not (m.one_off and _has_live_collection(m))),
            None,
        )  # fmt: skip
        if mandate is None:
            continue
        collection = DirectDebitCollection.objects.create(
            entity=entity, mandate=mandate, document=document, amount=document.balance,
            collection_date=collection_date, end_to_end_id=_end_to_end_id(document),
        )  # fmt: skip
        audit_record(entity=entity, actor=by, action="direct_debit.scheduled", obj=collection,
                     after={"invoice": document.number, "mandate": mandate.reference, "amount": collection.amount,
                            "collection_date": collection_date, "end_to_end_id": collection.end_to_end_id})  # fmt: skip
        scheduled.append(collection)
    ids = [collection.pk for collection in scheduled]
    if ids:
        transaction.on_commit(lambda: prenotifications_send(ids))
    return scheduled


def _sender(entity: LegalEntity) -> str:
    return str(entity.email or settings.DEFAULT_FROM_EMAIL)


def prenotifications_send(collection_ids: list[Any]) -> int:
    """Email each debtor what will be collected, when, under which mandate; returns the emails sent.

    Runs after the scheduling commits (I/O outside the transaction); a failure leaves `notified_at`
    empty so a later run sends it again."""
    pending = DirectDebitCollection.objects.filter(pk__in=collection_ids, notified_at__isnull=True)
    groups: dict[Any, list[DirectDebitCollection]] = defaultdict(list)
    for collection in pending.select_related("mandate", "document", "document__customer", "entity"):
        groups[collection.mandate_id].append(collection)
    sent = 0
    for collections in groups.values():
        first = collections[0]
        customer = first.document.customer
        if not customer.email:
            continue
        creditor = sepa_creditor_of(first.entity)
        total = sum((c.amount for c in collections), Decimal(0))
        with translation.override(customer.language):
            subject = _("Direct debit notice: %(amount)s EUR on %(date)s") % {
                "amount": total, "date": first.collection_date.isoformat()}  # fmt: skip
            lines = [_("Dear customer,"), "",
                     _("%(creditor)s will collect %(amount)s EUR from your account %(iban)s on %(date)s.")
                     % {"creditor": first.entity.name, "amount": total, "iban": _masked(first.mandate.iban),
                        "date": first.collection_date.isoformat()},
                     _("Mandate reference: %(umr)s - Creditor identifier: %(ics)s")
                     % {"umr": first.mandate.reference, "ics": creditor.creditor_id}, ""]  # fmt: skip
            lines += [_("Invoice %(number)s: %(amount)s EUR") % {"number": c.document.number, "amount": c.amount}
                      for c in collections]  # fmt: skip
        backend, options = connection_options(settings.EMAIL_URL)
        message = EmailMessage(subject=subject, body="\n".join(lines), from_email=_sender(first.entity),
                               to=[customer.email], connection=get_connection(backend, **options))  # fmt: skip
        try:
            message.send()
        except OSError:
            logger.exception("Direct debit pre-notification to %s failed", customer.email)
            continue
        DirectDebitCollection.objects.filter(pk__in=[c.pk for c in collections]).update(
            notified_at=timezone.now()
        )
        sent += 1
    return sent


def _masked(iban: str) -> str:
    return f"{iban[:4]} **** {iban[-4:]}"


@transaction.atomic
def collection_file_generate(*, entity: LegalEntity, collection_date: dt.date, by: Actor) -> SepaFile | None:
    """The pain.008 file of the scheduled collections of `collection_date`, or None when there are none left."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    creditor = sepa_creditor_of(entity)
    collections = list(
        DirectDebitCollection.objects.select_for_update()
        .filter(entity=entity, collection_date=collection_date, status=CollectionStatus.SCHEDULED)
        .select_related("mandate", "document", "document__customer")
        .order_by("created_at")
    )
    if not collections:
        return None
    groups: dict[tuple[str, str], list[DirectDebit]] = defaultdict(list)
    first_filed: set[Any] = set()  # mandates whose first collection is already in this file
    for collection in collections:
        mandate = collection.mandate
        if mandate.status != MandateStatus.ACTIVE:
            raise Conflict(_("Mandate %(umr)s is not active.") % {"umr": mandate.reference},
                           code=errors.MANDATE_NOT_ACTIVE)  # fmt: skip
        collection.sequence = next_sequence(mandate, collection_date)
        if collection.sequence == "FRST" and mandate.pk in first_filed:
            # two invoices of one mandate on one date: one first collection, the others recurrent (the
            # SDD rulebook accepts RCUR from the first collection on, with the same D-1 lead time)
            collection.sequence = "RCUR"
        first_filed.add(mandate.pk)
        groups[(mandate.scheme, collection.sequence)].append(DirectDebit(
            end_to_end_id=collection.end_to_end_id, amount=collection.amount, mandate_id=mandate.reference,
            mandate_signed_on=mandate.signed_on,
            debtor=Party(name=mandate.debtor_name, iban=mandate.iban, bic=mandate.bic),
            remittance=_("Invoice %(number)s") % {"number": collection.document.number},
        ))  # fmt: skip
    message_id = f"DD{collection_date:%Y%m%d}{uuid.uuid4().hex[:16].upper()}"
    message = CollectionMessage(
        message_id=message_id, created_at=timezone.now(), creditor_id=creditor.creditor_id,
        creditor=Party(name=entity.name, iban=entity.iban, bic=entity.bic),
        batches=tuple(
            CollectionBatch(payment_info_id=f"{message_id}-{scheme}-{sequence}", collection_date=collection_date,
                            sequence=sequence, scheme=scheme, transactions=tuple(transactions))
            for (scheme, sequence), transactions in groups.items()
        ),
    )  # fmt: skip
    try:
        content = build_pain008(message, creditor.pain008_version)  # type: ignore[arg-type]
    except SepaError as error:
        raise ValidationFailed(str(error), field=error.field, code=errors.SEPA_FILE_INVALID) from error
    sepa_file = SepaFile.objects.create(
        entity=entity, kind=SepaFileKind.DIRECT_DEBIT, message_id=message_id, version=creditor.pain008_version,
        execution_date=collection_date, transactions=len(collections), control_sum=message.control_sum,
        content=content, sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    for collection in collections:
        collection.status = CollectionStatus.SUBMITTED
        collection.file = sepa_file
        collection.save(update_fields=["status", "file", "sequence", "updated_at"])
    audit_record(entity=entity, actor=by, action="direct_debit_file.generated", obj=sepa_file,
                 after={"message_id": message_id, "version": sepa_file.version, "transactions": len(collections),
                        "control_sum": sepa_file.control_sum, "sha256": sepa_file.sha256,
                        "collection_date": collection_date})  # fmt: skip
    return sepa_file


def known_end_to_end_ids(entity: LegalEntity, end_to_end_ids: set[str]) -> set[str]:
    """Which of these end-to-end ids are the company's collections (one query, for a statement's returns)."""
    wanted = {value.strip() for value in end_to_end_ids if value.strip()}
    found: set[str] = set()
    chunk = sorted(wanted)
    for start in range(0, len(chunk), 500):
        found.update(
            DirectDebitCollection.objects.filter(entity=entity, end_to_end_id__in=chunk[start : start + 500])
            .values_list("end_to_end_id", flat=True)
        )  # fmt: skip
    return found


@transaction.atomic
def collection_file_book(*, sepa_file: SepaFile, booked_on: dt.date, by: Actor) -> list[Any]:
    """The bank credited the collection: each invoice gets its payment, recorded and allocated."""
    sepa_file = SepaFile.objects.select_for_update().get(pk=sepa_file.pk)
    authorization.authorize(by, Action.RECORD_PAYMENT, sepa_file.entity)
    if sepa_file.booked_at is not None:
        raise Conflict(_("This collection file was already booked."), code=errors.ALREADY_BOOKED)
    payments = []
    for collection in sepa_file.collections.filter(status=CollectionStatus.SUBMITTED).select_related(
        "document", "mandate"
    ):
        document = collection.document
        payment = payment_record(
            entity=sepa_file.entity, customer=document.customer, amount=collection.amount, received_on=booked_on,
            by=by, currency=document.currency, method=Method.DIRECT_DEBIT, reference=collection.end_to_end_id,
            payer=collection.mandate.debtor_name, allocations=[(document, collection.amount)],
        )  # fmt: skip
        collection.status = CollectionStatus.BOOKED
        collection.payment = payment
        collection.save(update_fields=["status", "payment", "updated_at"])
        Mandate.objects.filter(pk=collection.mandate_id).update(last_collected_on=sepa_file.execution_date)
        payments.append(payment)
    sepa_file.booked_at = timezone.now()
    sepa_file.save(update_fields=["booked_at", "updated_at"])
    audit_record(entity=sepa_file.entity, actor=by, action="direct_debit_file.booked", obj=sepa_file,
                 after={"booked_on": booked_on, "payments": len(payments)})  # fmt: skip
    return payments


@transaction.atomic
def handle_direct_debit_return(
    *, entity: LegalEntity, end_to_end_id: str, reason: str, by: Actor
) -> DirectDebitCollection:
    """A returned or rejected collection (R-transaction): its payment is reversed, the invoice reopened.

    Idempotent: the same return read twice (two statement imports) changes nothing the second time."""
    authorization.authorize(by, Action.RECORD_PAYMENT, entity)
    collection: DirectDebitCollection | None = (
        DirectDebitCollection.objects.select_for_update(of=("self",)).select_related("document", "payment")
        .filter(entity=entity, end_to_end_id=end_to_end_id.strip()).first()
    )  # fmt: skip
    if collection is None:
        raise NotFound(_("No direct debit with the reference %(ref)s.") % {"ref": end_to_end_id},
                       code=errors.UNKNOWN_COLLECTION)  # fmt: skip
    if collection.status == CollectionStatus.RETURNED:
        return collection
    code = reason.strip().upper()[:4]
    label = return_reason_label(code)
    if collection.payment is not None and not collection.payment.is_reversed:
        payment_reverse(payment=collection.payment, by=by, reason=f"Direct debit returned: {label}")
    collection.status = CollectionStatus.RETURNED
    collection.return_reason = code
    collection.save(update_fields=["status", "return_reason", "updated_at"])
    audit_record(entity=entity, actor=by, action="direct_debit.returned", obj=collection,
                 after={"invoice": collection.document.number, "reason": code, "label": label})  # fmt: skip
    audit_record(entity=entity, actor=by, action="invoice.direct_debit_returned", obj=collection.document,
                 after={"end_to_end_id": collection.end_to_end_id, "reason": code, "label": label})  # fmt: skip
    return collection

"""Drafts made several at once (a billing run's batch): built and checked one by one in memory as
`document_create` builds each (`drafts.new_document`, `drafts.build_rows`: the same checks, the same
EN 16931 totals), then written together: one insert per table and the audit events appended at once."""

from typing import Any

from django.db import transaction

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.audit.services import audit_record_many
from facturier.invoicing.lines import AllowanceChargeData, LineData
from facturier.invoicing.models import AllowanceCharge, Document, Kind, Line, TypeCode
from facturier.invoicing.services.common import state_of
from facturier.invoicing.services.drafts import DraftRows, build_rows, new_document
from facturier.parties.models import Customer

__all__ = ["DraftRows", "draft_build", "drafts_create_many"]


def draft_build(
    *,
    entity: LegalEntity,
    customer: Customer,
    by: Actor,
    lines: list[LineData],
    allowances_charges: list[AllowanceChargeData] = (),  # type: ignore[assignment]
    **header: Any,
) -> DraftRows:
    """The draft invoice `document_create` would make, built and checked in memory, nothing written (the
    same errors, raised before any write): `drafts_create_many` writes several at once."""
    document = new_document(entity, Kind.INVOICE, customer, by, TypeCode.COMMERCIAL, None, None, header)
    document.issue_date = None
    return build_rows(document, list(lines), list(allowances_charges), [])


def _created_event(document: Document) -> tuple[Document, None, dict[str, Any]]:
    return document, None, state_of(document)


def drafts_create_many(*, drafts: list[DraftRows], by: Actor) -> list[Document]:
    """Write drafts built by `draft_build`, as `document_create` writes each: their documents, lines and
    allowances/charges each by one insert, their "created" audit events (and outbox events) appended by
    `audit_record_many`, one call per company. In the caller's transaction (or its own), without a
    savepoint of its own: a failure writes none of them (the caller's savepoint or transaction rolls back)."""
    if not drafts:
        return []
    with transaction.atomic(savepoint=False):
        Document.objects.bulk_create([draft.document for draft in drafts])
        Line.objects.bulk_create([line for draft in drafts for line in draft.lines])
        charges = [charge for draft in drafts for charge in draft.allowances_charges]
        if charges:
            AllowanceCharge.objects.bulk_create(charges)
        for draft in drafts:
            if draft.deposits:
                draft.document.deposits.set(draft.deposits)
        groups: dict[tuple[Any, str], list[Document]] = {}
        for draft in drafts:
            groups.setdefault((draft.document.entity_id, draft.document.kind), []).append(draft.document)
        for (_entity, kind), documents in groups.items():
            audit_record_many(entity=documents[0].entity, actor=by, action=f"{kind}.created",
                              changes=[_created_event(document) for document in documents])  # fmt: skip
    return [draft.document for draft in drafts]

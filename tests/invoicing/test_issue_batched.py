"""Issuing a chunk writes its audit events, files, reports and outbox events at once, and an issue no
longer reads the document back: what it would read is already in memory, as the columns store it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.audit.models import AuditEvent
from facturier.audit.services import audit_record_many
from facturier.audit.verify import verify_all
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.stored import read_file
from facturier.invoicing.einvoice import issued_xml_files
from facturier.invoicing.models import Document, EinvoiceValidation, OperationCategory
from facturier.invoicing.services import LineData, document_create, invoice_issue, invoice_issue_many, issuing
from facturier.jobs.models import OutboxEvent
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")


def _drafts(entity, customer, product, owner, count: int) -> list:
    return [
        document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                        lines=[LineData(product=product, quantity=Decimal(n + 1)),
                               LineData(description="Frais", quantity=Decimal("1.5"), unit_price=Decimal("12.345"))])
        for n in range(count)
    ]  # fmt: skip


def _statements(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


def test_a_chunk_runs_a_constant_number_of_statements_plus_few_per_invoice(entity, customer, product, owner):
    invoice_issue(invoice=_drafts(entity, customer, product, owner, 1)[0], by=owner)  # counters exist
    counts = {}
    for size in (2, 6):
        drafts = _drafts(entity, customer, product, owner, size)
        with CaptureQueriesContext(connection) as queries:
            invoice_issue_many(invoices=drafts, by=owner, chunk_size=size)
        counts[size] = len(_statements(queries))
    per_invoice = (counts[6] - counts[2]) / 4
    constant = counts[2] - 2 * per_invoice
    # per invoice: nothing but what cannot be shared (none today: every write of the chunk is one
    # statement); per chunk: the drafts and their children, the role, no query for the provisional
    # numbers (this process took the series' last number), the reports, the series and its counter (one
    # statement on PostgreSQL), the files, the documents, the series, the audit chain and one statement
    # for the events, the chain head and the outbox events
    assert per_invoice == 0, counts
    assert constant == (12 if connection.vendor == "postgresql" else 15), counts
    assert verify_all() == []


def test_a_chunk_appends_its_events_in_one_chain_in_the_list_order_with_their_outbox_events(
    entity, customer, product, owner
):
    drafts = _drafts(entity, customer, product, owner, 4)
    issued = invoice_issue_many(invoices=list(reversed(drafts)), by=owner, chunk_size=4)
    events = list(AuditEvent.objects.filter(action="invoice.issued").order_by("position"))
    assert [e.object_id for e in events] == [str(doc.pk) for doc in issued]
    assert len({e.chain_key for e in events}) == 1
    positions = [e.position for e in events]
    assert positions == list(range(positions[0], positions[0] + 4))
    for before, after in zip(events, events[1:], strict=False):
        assert after.previous_hash == before.hash
    outbox = list(OutboxEvent.objects.filter(type__endswith="issued").order_by("tx", "position"))
    assert [o.subject_id for o in outbox] == [str(doc.pk) for doc in issued]
    assert [o.payload["after"]["number"] for o in outbox] == [doc.number for doc in issued]
    # each document's files and validation report stored, the files byte-identical to a fresh serialization
    for doc in issued:
        doc.refresh_from_db()
        assert (
            read_file(StoredFile.objects.get(document=doc, kind=FileKind.CII)) == issued_xml_files(doc)["cii"]
        )
        assert EinvoiceValidation.objects.filter(document=doc).count() == 1
    assert verify_all() == []


def test_audit_record_many_seals_what_audit_record_would_one_by_one(entity, customer, product, owner):
    drafts = _drafts(entity, customer, product, owner, 3)
    from django.db import transaction

    with transaction.atomic():
        events = audit_record_many(entity=entity, actor=owner, action="invoice.updated",
                                   changes=[(doc, {"n": 1}, {"n": Decimal("2.50")}) for doc in drafts])  # fmt: skip
    stored = list(AuditEvent.objects.filter(action="invoice.updated").order_by("position"))
    assert [e.pk for e in stored] == [e.pk for e in events]
    assert [e.after for e in stored] == [{"n": "2.50"}] * 3
    assert verify_all() == []


def test_an_issued_document_in_memory_is_what_the_database_holds(entity, draft_invoice, owner):
    # the read-back after the first save is gone: every column must already be as stored
    draft_invoice.lines.update(unit_price=Decimal("12.345678"))
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    fresh = Document.objects.get(pk=invoice.pk)
    for column in Document._meta.concrete_fields:
        mine, stored = getattr(invoice, column.attname), getattr(fresh, column.attname)
        if isinstance(mine, Decimal):  # at the column's scale, as read
            assert str(mine) == str(stored), column.name
        elif isinstance(mine, str):  # a choice (Status.ISSUED) is its value
            assert (str(mine), type(stored)) == (stored, str), column.name
        else:
            assert (type(mine), mine) == (type(stored), stored), column.name
    assert verify_all() == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("tax_total", Decimal("1.5")),  # another scale than the column's
        ("tax_total", Decimal("1.500")),
        ("tax_total", 1),
        ("due_date", dt.datetime(2026, 1, 1, tzinfo=dt.UTC)),
        ("vat_breakdown", [{"rate": Decimal("20")}]),
        ("vat_breakdown", [("S", "20")]),
        ("seller_snapshot", {"name": 1.5}),
        ("operation_category", None),
        ("operation_category", OperationCategory.SERVICES),  # a str subclass: made a plain str first
    ],
)
def test_a_value_the_column_would_change_is_saved_and_read_back(name, value, draft_invoice):
    draft_invoice.issue_date = draft_invoice.due_date = dt.date(2026, 1, 1)
    draft_invoice.vat_breakdown = [{"category": "S", "rate": "20.00"}]
    draft_invoice.seller_snapshot = draft_invoice.customer_snapshot = {"name": "x"}
    draft_invoice.vat_on_debits, draft_invoice.operation_category = False, "services"
    for total in ("line_total", "allowance_total", "charge_total", "tax_exclusive", "tax_total",
                  "tax_inclusive", "payable", "tax_total_accounting"):  # fmt: skip
        setattr(draft_invoice, total, Decimal("0.00"))
    assert issuing.as_stored(draft_invoice)
    setattr(draft_invoice, name, value)
    assert not issuing.as_stored(draft_invoice)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_chunk_on_postgresql_is_one_statement_for_its_events_and_verifies(entity, customer, product, owner):
    drafts = _drafts(entity, customer, product, owner, 5)
    issued = invoice_issue_many(invoices=drafts, by=owner, chunk_size=3)
    assert [int(doc.number[-5:]) for doc in issued] == [1, 2, 3, 4, 5]
    outbox = list(OutboxEvent.objects.filter(type__endswith="issued").order_by("tx", "position"))
    assert [o.subject_id for o in outbox] == [str(doc.pk) for doc in issued]
    assert len({o.tx for o in outbox}) == 2  # one transaction per chunk
    assert verify_all() == []

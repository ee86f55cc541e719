"""Issuing serializes the e-invoice once: the validated bytes get the real number put in place of the
provisional one, and only when that is provably what a serialization with the real number gives."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.audit.verify import verify_all
from facturier.common.errors import ValidationFailed
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.stored import read_file
from facturier.invoicing.einvoice import issued_xml, issued_xml_files, renumbered
from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create, invoice_issue, invoice_issue_many, issuing
from facturier.jobs.models import OutboxEvent
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")

PROVISIONAL, REAL = "FAC-2026-00042", "FAC-2026-00107"


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_the_renumbered_bytes_are_those_a_serialization_with_the_real_number_gives(
    syntax, entity, draft_invoice
):
    entity.einvoice_syntax = syntax
    entity.save()
    draft_invoice.number = PROVISIONAL
    mapped, files = issued_xml(draft_invoice)
    assert "peppol" in files  # the buyer is on PEPPOL: BT-10 repeats the number there
    draft_invoice.number = REAL
    assert renumbered(mapped, files, PROVISIONAL, REAL) == issued_xml_files(draft_invoice)


@pytest.mark.parametrize(
    ("change", "real"),
    [
        ({}, "FAC-2026-100000"),  # the counter gained a digit: another shape
        ({}, "FAC/2026-00107"),  # another character than a digit changed
        ({"note": f"Remplace {PROVISIONAL}"}, REAL),  # the provisional number inside another text
        ({"buyer_reference": PROVISIONAL}, REAL),  # another field equal to it
        ({"purchase_order_reference": f"{PROVISIONAL}1"}, REAL),
    ],
)
def test_renumbering_is_refused_unless_the_number_is_the_only_place_it_changes(change, real, draft_invoice):
    for name, value in change.items():
        setattr(draft_invoice, name, value)
    draft_invoice.number = PROVISIONAL
    mapped, files = issued_xml(draft_invoice)
    assert renumbered(mapped, files, PROVISIONAL, real) is None


def _stored(invoice, kind: str) -> bytes:
    return read_file(StoredFile.objects.get(document=invoice, kind=kind))


def test_a_provisional_number_taken_meanwhile_is_replaced_without_a_second_validation(
    monkeypatch, entity, draft_invoice, owner, validated_xml
):
    # given a concurrent issuer took the number read before the lock (a stale provisional number)
    real_provisional = issuing.provisional_number
    monkeypatch.setattr(issuing, "provisional_number", lambda **kw: real_provisional(**kw)[:-3] + "042")
    # when the invoice is issued
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # then it bears the real number, validated once (with the provisional one), stored with the real one
    assert invoice.number.endswith("00001")
    assert len(validated_xml) == 1
    assert invoice.number[:-3].encode() + b"042" in validated_xml[0]
    fresh = issued_xml_files(invoice)
    assert _stored(invoice, FileKind.CII) == fresh["cii"] == validated_xml[0].replace(b"00042", b"00001")
    assert _stored(invoice, FileKind.UBL) == fresh["ubl"]
    assert verify_all() == []


def test_a_provisional_number_of_another_shape_makes_the_real_xml_validated_under_the_lock(
    monkeypatch, entity, draft_invoice, owner, validated_xml
):
    monkeypatch.setattr(issuing, "provisional_number", lambda **kw: "FAC-2026-1")
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    assert len(validated_xml) == 2  # the provisional XML, then the real one in full
    assert _stored(invoice, FileKind.CII) == validated_xml[1] == issued_xml_files(invoice)["cii"]
    assert verify_all() == []


def test_issuing_runs_few_statements_and_few_under_the_numbering_lock(
    monkeypatch, entity, customer, product, draft_invoice, owner
):
    invoice_issue(invoice=draft_invoice, by=owner)  # the series' counter of the year exists from now on
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal(2))])  # fmt: skip
    # the statements of one issue, and those from the numbering lock on (take_number) to the end
    locked_from: list[int] = []
    take = issuing.take_number

    def watched_take(**kwargs):
        taken = take(**kwargs)
        locked_from.append(len(queries.captured_queries))
        return taken

    monkeypatch.setattr(issuing, "take_number", watched_take)
    with CaptureQueriesContext(connection) as queries:
        invoice = invoice_issue(invoice=draft, by=owner)
    sql = [q["sql"] for q in queries.captured_queries]
    statements = [q for q in sql if not q.startswith(("SAVEPOINT", "RELEASE"))]
    locked = [q for q in sql[locked_from[0] :] if not q.startswith(("SAVEPOINT", "RELEASE"))]
    # the document with its entity and customer, its lines, allowances, deposits; the issuer's role; no
    # query for the provisional number (this process took the series' last number); the series locked
    # with its counter incremented and an audit chain locked (one statement on PostgreSQL; on SQLite two,
    # the chain read under the lock); under the lock: the validation report, the files, the document
    # (with its totals and snapshots: no save and read-back before), the series, the audit event, the
    # chain head and the outbox event (one statement on PostgreSQL, seven on SQLite)
    assert len(statements) == (7 if connection.vendor == "postgresql" else 15), statements
    assert len(locked) == (1 if connection.vendor == "postgresql" else 8), locked
    outbox = OutboxEvent.objects.get(subject_id=str(invoice.pk), type__endswith="issued")
    assert outbox.payload["after"]["number"] == invoice.number
    assert verify_all() == []


def _drafts(entity, customer, product, owner, count: int) -> list:
    return [
        document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                        lines=[LineData(product=product, quantity=Decimal(n + 1))])
        for n in range(count)
    ]  # fmt: skip


def test_issue_many_numbers_a_list_in_its_order_one_lock_per_chunk_each_validated_and_sealed(
    monkeypatch, entity, customer, product, owner, validated_xml
):
    # given five drafts, issued in chunks of two
    drafts = _drafts(entity, customer, product, owner, 5)
    takes: list[int] = []
    take = issuing.take_number

    def watched_take(**kwargs):
        takes.append(kwargs.get("count", 1))
        return take(**kwargs)

    monkeypatch.setattr(issuing, "take_number", watched_take)
    issued = invoice_issue_many(invoices=list(reversed(drafts)), by=owner, chunk_size=2)
    # then they are numbered consecutively in the list's order, the series locked once per chunk
    assert [doc.pk for doc in issued] == [doc.pk for doc in reversed(drafts)]
    assert [int(doc.number[-5:]) for doc in issued] == [1, 2, 3, 4, 5]
    assert takes == [2, 2, 1]
    # each one validated once and stored with its own number, each sealed in the series chain and audited
    assert len(validated_xml) == 5
    for doc in issued:
        doc.refresh_from_db()
        assert doc.status == "issued"
        assert _stored(doc, FileKind.CII) == issued_xml_files(doc)["cii"]
        assert doc.number.encode() in _stored(doc, FileKind.CII)
    assert [doc.seal_position for doc in issued] == [1, 2, 3, 4, 5]
    assert OutboxEvent.objects.filter(type__endswith="issued").count() == 5
    assert verify_all() == []


def test_issue_many_rolls_back_the_chunk_of_an_invoice_that_cannot_be_issued(
    entity, customer, product, owner
):
    first, second, third = _drafts(entity, customer, product, owner, 3)
    third.lines.all().delete()  # an invoice without lines is refused
    with pytest.raises(ValidationFailed):
        invoice_issue_many(invoices=[first, second, third], by=owner, chunk_size=2)
    # the first chunk stays issued, the second left nothing behind: no gap in the numbers
    statuses = {doc.pk: Document.objects.get(pk=doc.pk).status for doc in (first, second, third)}
    assert statuses == {first.pk: "issued", second.pk: "issued", third.pk: "draft"}
    later = invoice_issue(invoice=_drafts(entity, customer, product, owner, 1)[0], by=owner)
    assert later.number.endswith("00003")
    assert verify_all() == []


def test_issue_many_refuses_a_list_naming_a_document_twice(entity, customer, product, owner):
    (draft,) = _drafts(entity, customer, product, owner, 1)
    with pytest.raises(ValidationFailed):
        invoice_issue_many(invoices=[draft, draft], by=owner)
    assert Document.objects.get(pk=draft.pk).status == "draft"

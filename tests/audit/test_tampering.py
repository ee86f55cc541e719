"""The twelve tampers of an attacker with SQL access (issue 7): each one is found and named by `audit verify`.

The attacker first lifts the immutability triggers (dropped on SQLite, disabled with the replication role
on PostgreSQL), then writes raw SQL, recomputing plain SHA-256 chains where it helps them: they can read
the code, but they do not hold the seal key, which lives outside the database.
"""

import io
import json
import threading
import uuid
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from facturier.audit.models import AuditEvent, ChainHead
from facturier.domain.sealing import chain_hash
from facturier.invoicing.models import Document, NumberingSeries, SequenceCounter
from facturier.invoicing.sealing import sealed_content
from facturier.invoicing.services import LineData, document_create, invoice_issue


def attack(*statements: tuple[str, list]) -> None:
    """Lift the guards, then run each (sql, params) as someone with database superuser rights."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")  # no triggers, no FK checks
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        for sql, params in statements:
            cursor.execute(sql, params)


def db_id(value) -> object:
    """A primary key as the vendor stores it (SQLite: 32 hex digits, PostgreSQL: uuid)."""
    return value.hex if connection.vendor == "sqlite" else value


def delete_document(document: Document) -> list[tuple[str, list]]:
    """The statements removing a document and every row that refers to it, as a thorough attacker would."""
    statements = []
    for relation in Document._meta.related_objects:
        if relation.related_model is Document:
            continue
        if relation.many_to_many:
            continue
        table, column = relation.related_model._meta.db_table, relation.field.column
        statements.append((f"DELETE FROM {table} WHERE {column} = %s", [db_id(document.pk)]))
    through = Document.deposits.through
    for field in through._meta.concrete_fields[1:]:
        statements.append(
            (f"DELETE FROM {through._meta.db_table} WHERE {field.column} = %s", [db_id(document.pk)])
        )
    return [*statements, ("DELETE FROM invoicing_document WHERE id = %s", [db_id(document.pk)])]


def verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def assert_named(output: str, check: str, record: str) -> None:
    lines = [line for line in output.splitlines() if f"[{check}]" in line]
    assert any(record in line for line in lines), f"no [{check}] finding naming {record}:\n{output}"


@pytest.fixture
def invoices(entity, customer, product, owner) -> list[Document]:
    """Three issued invoices, oldest first."""
    issued = []
    for quantity in ("1", "2", "3"):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip
        issued.append(invoice_issue(invoice=draft, by=owner))
    return issued


def audit_key(entity) -> str:
    return f"audit:{entity.pk}"


def test_untouched_database_verifies(invoices):
    code, output = verify()
    assert code == 0, output
    assert "OK" in output


def test_deleting_the_last_audit_event_and_setting_the_head_back_is_named(invoices, entity):
    # given the last event of the entity's chain (the issue of the third invoice)
    last, before = AuditEvent.objects.filter(chain_key=audit_key(entity)).order_by("-position")[:2]
    assert last.action == "invoice.issued"
    # when it is deleted and the chain head set back to the event before it
    attack(("DELETE FROM audit_auditevent WHERE id = %s", [db_id(last.pk)]),
           ("UPDATE audit_chainhead SET length = %s, last_hash = %s WHERE key = %s",
            [before.position, before.hash, audit_key(entity)]))  # fmt: skip
    # then verify fails and names the invoice whose issue is no longer recorded
    code, output = verify()
    assert code == 1
    assert_named(output, "event-missing", invoices[2].number)


def test_deleting_the_last_invoice_and_setting_the_series_back_is_named(invoices):
    last, before = invoices[2], invoices[1]
    attack(*delete_document(last),
           ("UPDATE invoicing_numberingseries SET chain_length = %s, chain_hash = %s WHERE id = %s",
            [2, before.seal_hash, db_id(last.series_id)]))  # fmt: skip
    code, output = verify()
    assert code == 1
    assert_named(output, "number-gap", last.number)  # the counter still says 3
    assert_named(output, "document-missing", str(last.pk))  # its issue event remains


def test_deleting_a_numbering_series_row_is_named(invoices):
    series = invoices[0].series
    attack(("DELETE FROM invoicing_sequencecounter WHERE series_id = %s", [db_id(series.pk)]),
           ("DELETE FROM invoicing_numberingseries WHERE id = %s", [db_id(series.pk)]))  # fmt: skip
    code, output = verify()
    assert code == 1
    assert_named(output, "series-missing", str(series.pk))
    # (the orphaned invoices are removed again, or SQLite's end-of-test foreign key check would fail)
    attack(*[statement for invoice in invoices for statement in delete_document(invoice)])


def test_deleting_a_chain_head_row_is_named(invoices, entity):
    attack(
        ("DELETE FROM audit_chainhead WHERE key = %s", [audit_key(entity)]),
    )
    code, output = verify()
    assert code == 1
    assert_named(output, "chain-head", audit_key(entity))


def test_inserting_an_unsealed_sent_document_is_named(invoices, entity):
    # given a copy of an issued invoice's row under a new id, number and status "sent", without a seal
    template = invoices[0]
    columns = [field.column for field in Document._meta.concrete_fields]
    overrides = {"id": "%s", "number": "%s", "status": "'sent'", "seal_hash": "''", "seal_position": "NULL",
                 "seal_previous_hash": "''", "seal_key_id": "''"}  # fmt: skip
    select = ", ".join(overrides.get(column, column) for column in columns)
    forged_id = uuid.uuid4()
    params = [
        db_id(forged_id) if column == "id" else "FAC-2099-99999"
        for column in columns
        if column in ("id", "number")
    ]
    attack((f"INSERT INTO invoicing_document ({', '.join(columns)}) SELECT {select} FROM invoicing_document WHERE id = %s",
            [*params, db_id(template.pk)]),)  # fmt: skip
    assert Document.objects.get(pk=forged_id).status == "sent"
    code, output = verify()
    assert code == 1
    assert_named(output, "unsealed-document", str(forged_id))


def _recompute_without_key(documents: list[Document]) -> list[tuple[str, list]]:
    """What an attacker can do without the key: recompute plain SHA-256 links from the first changed one."""
    statements, previous = [], documents[0].seal_previous_hash
    for document in documents:
        document = Document.objects.get(pk=document.pk)
        new_hash = chain_hash(previous, sealed_content(document))
        statements.append(("UPDATE invoicing_document SET seal_previous_hash = %s, seal_hash = %s WHERE id = %s",
                           [previous, new_hash, db_id(document.pk)]))  # fmt: skip
        previous = new_hash
    statements.append(("UPDATE invoicing_numberingseries SET chain_hash = %s WHERE id = %s",
                       [previous, db_id(documents[0].series_id)]))  # fmt: skip
    return statements


def test_changing_a_total_and_recomputing_every_later_hash_is_named(invoices):
    first = invoices[0]
    attack(("UPDATE invoicing_document SET tax_inclusive = %s, payable = %s WHERE id = %s",
            ["1.00", "1.00", db_id(first.pk)]),)  # fmt: skip
    attack(*_recompute_without_key(invoices))
    code, output = verify()
    assert code == 1
    assert_named(output, "document-seal", first.number)


def test_appending_a_forged_invoice_with_a_correct_unkeyed_hash_is_named(
    invoices, entity, customer, product, owner
):
    # given a draft the attacker turns into the next invoice of the series, counter and head included
    draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("9"))])  # fmt: skip
    series = NumberingSeries.objects.get(pk=invoices[2].series_id)
    number = invoices[2].number[:-5] + "00004"
    counter = SequenceCounter.objects.get(series=series)
    attack(("UPDATE invoicing_document SET number = %s, series_id = %s, issue_date = %s, status = 'issued', "
            "seal_position = 4, seal_previous_hash = %s, seal_key_id = %s WHERE id = %s",
            [number, db_id(series.pk), invoices[2].issue_date, series.chain_hash, invoices[2].seal_key_id,
             db_id(draft.pk)]),
           ("UPDATE invoicing_sequencecounter SET last_value = 4 WHERE id = %s", [counter.pk]))  # fmt: skip
    forged = Document.objects.get(pk=draft.pk)
    forged_hash = chain_hash(series.chain_hash, sealed_content(forged))
    attack(("UPDATE invoicing_document SET seal_hash = %s WHERE id = %s", [forged_hash, db_id(draft.pk)]),
           ("UPDATE invoicing_numberingseries SET chain_length = 4, chain_hash = %s WHERE id = %s",
            [forged_hash, db_id(series.pk)]))  # fmt: skip
    code, output = verify()
    assert code == 1
    assert_named(output, "document-seal", number)
    assert_named(output, "event-missing", number)


def test_changing_a_total_without_recomputing_is_named(invoices):
    attack(
        ("UPDATE invoicing_document SET tax_inclusive = %s WHERE id = %s", ["1.00", db_id(invoices[1].pk)]),
    )
    code, output = verify()
    assert code == 1
    assert_named(output, "document-seal", invoices[1].number)


def test_editing_an_audit_event_is_named(invoices):
    event = AuditEvent.objects.get(action="invoice.issued", object_id=str(invoices[0].pk))
    attack(
        ("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["user:nobody", db_id(event.pk)]),
    )
    code, output = verify()
    assert code == 1
    assert_named(output, "event-seal", str(event.pk))


def test_deleting_a_middle_invoice_is_named(invoices):
    middle = invoices[1]
    attack(*delete_document(middle))
    code, output = verify()
    assert code == 1
    assert_named(output, "chain-position", invoices[2].number)
    assert_named(output, "number-gap", middle.number)


def test_deleting_a_middle_audit_event_is_named(invoices, entity):
    middle = AuditEvent.objects.get(action="invoice.issued", object_id=str(invoices[1].pk))
    attack(
        ("DELETE FROM audit_auditevent WHERE id = %s", [db_id(middle.pk)]),
    )
    code, output = verify()
    assert code == 1
    assert_named(output, "chain-position", audit_key(entity))
    assert_named(output, "event-missing", invoices[1].number)


def test_changing_a_line_is_named(invoices):
    line = invoices[0].lines.first()
    attack(
        ("UPDATE invoicing_line SET quantity = %s WHERE id = %s", ["30", db_id(line.pk)]),
    )
    code, output = verify()
    assert code == 1
    assert_named(output, "document-seal", invoices[0].number)


def test_the_head_rows_agree_with_the_chains(invoices, entity):
    # the tampers above are judged against this state: heads at the end of their chains
    assert (
        ChainHead.objects.get(key=audit_key(entity)).length
        == AuditEvent.objects.filter(chain_key=audit_key(entity)).count()
    )
    assert NumberingSeries.objects.get(pk=invoices[0].series_id).chain_length == 3


@pytest.fixture
def second_chain(entity, customer, product, owner, monkeypatch):  # type: ignore[no-untyped-def]
    """Two invoices whose events went to the entity's second audit chain (as a concurrent writer's do)."""
    from facturier.audit import chain

    key = f"audit:{entity.pk}:1"
    monkeypatch.setitem(chain._preferred, (threading.get_ident(), str(entity.pk)), key)
    for quantity in ("1", "2"):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal(quantity))])  # fmt: skip
        invoice_issue(invoice=draft, by=owner)
    assert AuditEvent.objects.filter(chain_key=key).count() >= 4
    return key


def test_a_second_audit_chain_verifies_and_is_checkpointed(second_chain, entity):
    from facturier.audit.checkpoints import write_checkpoints
    from facturier.audit.verify import verify_all

    assert verify_all() == []
    (path,) = write_checkpoints([str(entity.pk)])
    assert second_chain in json.loads(path.read_text())["chains"]


def test_editing_an_event_of_a_second_audit_chain_is_named(second_chain):
    event = AuditEvent.objects.filter(chain_key=second_chain).order_by("position").first()
    attack(("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["user:nobody", db_id(event.pk)]))
    code, output = verify()
    assert code == 1
    assert "event-seal" in output
    assert second_chain in output


def test_truncating_a_second_audit_chain_below_its_checkpoint_is_named(second_chain, entity):
    from facturier.audit.checkpoints import write_checkpoints

    write_checkpoints([str(entity.pk)])
    last, before = AuditEvent.objects.filter(chain_key=second_chain).order_by("-position")[:2]
    attack(("DELETE FROM audit_auditevent WHERE id = %s", [db_id(last.pk)]),
           ("UPDATE audit_chainhead SET length = %s, last_hash = %s WHERE key = %s",
            [before.position, before.hash, second_chain]))  # fmt: skip
    code, output = verify()
    assert code == 1
    assert "checkpoint-truncation" in output
    assert second_chain in output


def test_deleting_a_second_audit_chain_with_its_head_is_named(second_chain, entity):
    from facturier.audit.checkpoints import write_checkpoints

    write_checkpoints([str(entity.pk)])
    attack(("DELETE FROM audit_auditevent WHERE chain_key = %s", [second_chain]),
           ("DELETE FROM audit_chainhead WHERE key = %s", [second_chain]))  # fmt: skip
    code, output = verify()
    assert code == 1
    assert "checkpoint-truncation" in output
    assert second_chain in output

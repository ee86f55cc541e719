"""The tamper test: anything modified directly in the database is found and named by `audit verify`."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from facturier.audit.models import AuditEvent
from facturier.audit.verify import verify_all
from facturier.invoicing.services import invoice_issue


def _bypass_triggers_and_run(sql: str, params: list) -> None:
    """What an attacker with database superuser rights could do: disable the guards, then write."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
                cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute(sql, params)


def _pk(value):
    return value.hex if connection.vendor == "sqlite" else value


def _verify() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


@pytest.fixture
def issued(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)


def test_untouched_database_verifies(issued):
    assert verify_all() == []
    code, output = _verify()
    assert code == 0
    assert "OK" in output


def test_modified_invoice_amount_is_detected_and_named(issued, entity, customer, owner):
    # when the total of an issued invoice is rewritten in SQL behind the application's back
    _bypass_triggers_and_run(
        "UPDATE invoicing_document SET tax_inclusive = %s WHERE id = %s", ["1.00", _pk(issued.pk)]
    )
    # then verify fails and names the invoice
    code, output = _verify()
    assert code == 1
    assert issued.number in output
    assert "[document-seal]" in output


def test_modified_line_is_detected(issued):
    line = issued.lines.first()
    _bypass_triggers_and_run("UPDATE invoicing_line SET quantity = %s WHERE id = %s", ["30", _pk(line.pk)])
    breaches = verify_all()
    assert [b.record for b in breaches] == [f"document {issued.number} ({issued.pk})"]


def test_modified_audit_event_is_detected_and_named(issued):
    event = AuditEvent.objects.get(action="invoice.issued")
    _bypass_triggers_and_run(
        "UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["user:nobody", _pk(event.pk)]
    )
    code, output = _verify()
    assert code == 1
    assert str(event.pk) in output


def test_deleted_audit_event_breaks_the_chain(issued):
    event = AuditEvent.objects.filter(entity=issued.entity).order_by("position").first()
    _bypass_triggers_and_run("DELETE FROM audit_auditevent WHERE id = %s", [_pk(event.pk)])
    breaches = verify_all()
    assert breaches and "broken" in breaches[0].reason or "position" in breaches[0].reason


def test_audit_events_are_append_only(issued):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.filter(entity=issued.entity).update(action="x")


def test_every_state_change_is_audited_with_before_and_after(issued):
    event = AuditEvent.objects.get(action="invoice.issued", object_id=str(issued.pk))
    assert event.before["status"] == "draft"
    assert event.after["status"] == "issued"
    assert event.after["number"] == issued.number
    assert event.actor_label == "user:owner"

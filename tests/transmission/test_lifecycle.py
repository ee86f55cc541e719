"""Recording lifecycle statuses: audited in the same transaction, idempotent, moving invoices that need action."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from facturier.audit.models import AuditEvent
from facturier.common.errors import ValidationFailed
from facturier.domain.lifecycle import build_cdar
from facturier.invoicing.models import Status
from facturier.transmission.models import LifecycleStatus
from facturier.transmission.polling import lifecycle_from_cdar
from facturier.transmission.services import lifecycle_record
from tests.domain.lifecycle.builders import status_message
from tests.domain.lifecycle.conftest import CONFORMANCE

WHEN = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_a_status_is_recorded_with_an_audit_event_in_the_same_transaction(issued_invoice, owner) -> None:
    # when a status is entered by hand
    status = lifecycle_record(document=issued_invoice, code=205, source="manual", by=owner, occurred_at=WHEN)
    # then it is stored with its date and source, and the audit trail says so
    assert (status.code, status.label, status.source, status.occurred_at) == (
        205,
        "Approuvée",
        "manual",
        WHEN,
    )
    event = AuditEvent.objects.get(action="invoice.lifecycle")
    assert event.object_id == str(issued_invoice.pk)
    assert event.after["code"] == 205
    assert event.actor_label == "user:owner"


def test_a_failing_transaction_leaves_neither_status_nor_audit_event(issued_invoice, owner) -> None:
    def record_then_fail() -> None:
        with transaction.atomic():
            lifecycle_record(document=issued_invoice, code=205, source="manual", by=owner, occurred_at=WHEN)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        record_then_fail()
    assert not LifecycleStatus.objects.exists()
    assert not AuditEvent.objects.filter(action="invoice.lifecycle").exists()


def test_the_same_status_at_the_same_time_is_recorded_once(issued_invoice) -> None:
    first = lifecycle_record(document=issued_invoice, code=203, source="cdar", by=None, occurred_at=WHEN)
    again = lifecycle_record(document=issued_invoice, code=203, source="cdar", by=None, occurred_at=WHEN)
    assert first is not None
    assert again is None
    assert LifecycleStatus.objects.count() == 1


@pytest.mark.parametrize(("code", "reason", "status"), [(210, "TX_TVA_ERR", Status.REFUSED),
                                                         (213, "DOUBLON", Status.REFUSED),
                                                         (207, "QTE_ERR", Status.DISPUTED),
                                                         (205, "", Status.ISSUED)])  # fmt: skip
def test_refusals_and_rejections_move_the_invoice_to_needs_action(
    issued_invoice, owner, code, reason, status
) -> None:
    lifecycle_record(document=issued_invoice, code=code, source="manual", by=owner, reason_code=reason)
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == status


def test_a_refused_invoice_can_still_be_cancelled_by_a_credit_note(issued_invoice, owner) -> None:
    from facturier.invoicing.services import credit_note_create, invoice_issue

    lifecycle_record(document=issued_invoice, code=210, source="manual", by=owner, reason_code="CALCUL_ERR")
    credit_note = invoice_issue(invoice=credit_note_create(invoice=issued_invoice, by=owner), by=owner)
    issued_invoice.refresh_from_db()
    assert credit_note.is_sealed
    assert issued_invoice.status == Status.CANCELLED


def test_a_manual_refusal_must_give_its_reason(issued_invoice, owner) -> None:
    with pytest.raises(ValidationFailed) as refused:
        lifecycle_record(document=issued_invoice, code=210, source="manual", by=owner)
    assert (refused.value.code, refused.value.field) == ("reason_required", "reason_code")


def test_an_unknown_status_code_is_refused(issued_invoice, owner) -> None:
    with pytest.raises(ValidationFailed, match="Statut de cycle de vie inconnu 299"):
        lifecycle_record(document=issued_invoice, code=299, source="manual", by=owner)


def test_an_auditor_cannot_record_a_status(issued_invoice, entity) -> None:
    from django.contrib.auth import get_user_model

    from facturier.accounts.services import membership_set
    from facturier.common.errors import PermissionDenied

    auditor = get_user_model().objects.create_user("auditor", "a@example.fr", "pw-auditor-123")
    membership_set(entity=entity, user=auditor, role="auditor", by=None)
    with pytest.raises(PermissionDenied):
        lifecycle_record(document=issued_invoice, code=205, source="manual", by=auditor)


def test_a_cdar_message_is_checked_by_the_official_rules_then_recorded(
    issued_invoice, entity, settings
) -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    settings.CONFORMANCE_DIR = str(CONFORMANCE)
    # given a valid CDAR approving our invoice
    cdar = build_cdar(status_message(205, number=issued_invoice.number, seller=entity.siren))
    # when imported for the entity
    summary = lifecycle_from_cdar(data=cdar, by=None, entity=entity)
    # then the status is recorded from the message
    assert summary.recorded == 1
    assert LifecycleStatus.objects.get().external_ref == "CDV-0001"
    # and a message breaking the rules (refusal without reason) is refused with the rule ids
    with pytest.raises(ValidationFailed) as refused:
        lifecycle_from_cdar(
            data=build_cdar(status_message(210, number=issued_invoice.number)), by=None, entity=entity
        )
    assert "BR-FR-CDV-15/MDT-113" in {f["rule"] for f in refused.value.extra["findings"]}


def test_a_cdar_about_another_entitys_invoice_changes_nothing(issued_invoice, entity) -> None:
    from tests.conftest import make_entity

    other = make_entity(name="Tierce SAS", siren="732829320")
    cdar = build_cdar(
        status_message(210, number=issued_invoice.number, reason_code="DOUBLON", seller=entity.siren)
    )
    summary = lifecycle_from_cdar(data=cdar, by=None, entity=other, validate=False)
    assert (summary.recorded, summary.unmatched) == (0, [issued_invoice.number])
    issued_invoice.refresh_from_db()
    assert issued_invoice.status == Status.ISSUED


def test_an_unreadable_cdar_is_a_validation_error(entity) -> None:
    with pytest.raises(ValidationFailed, match="DOCTYPE") as refused:
        lifecycle_from_cdar(data=b"<!DOCTYPE x><x/>", by=None, entity=entity)
    assert refused.value.code == "invalid_cdar"


def test_a_cancelled_invoice_is_not_sent(issued_invoice, owner) -> None:
    from facturier.common.errors import Conflict
    from facturier.invoicing.services import credit_note_create, invoice_issue
    from facturier.transmission.services import transmission_request

    invoice_issue(invoice=credit_note_create(invoice=issued_invoice, by=owner), by=owner)
    issued_invoice.refresh_from_db()
    with pytest.raises(Conflict) as refused:
        transmission_request(document=issued_invoice, by=owner)
    assert refused.value.code == "not_sendable"

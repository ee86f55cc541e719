"""The reconciliation API (`/api/v1/bank-lines/...`): the lines left with their suggestions, accept, reject,
match by hand (split, write-off), unrelated and undo, through the services of the /bank/reconcile/ screen;
the `bank` scope guards it, another company's line is not found, a decided line is a 409."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from facturier.audit.models import AuditEvent
from facturier.banking.models import BankLine, LineStatus
from facturier.banking.reconciliation_inputs import item_key
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of
from tests.api.conftest import ApiClient, make_key
from tests.conftest import make_entity

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


WRITER = ("bank:write", "payments:write")  # a decision records payments: both scopes


def _api(entity, *scopes):
    key, secret = make_key(entity, scopes)
    return ApiClient(secret, key)


def _proposed():
    return BankLine.objects.get(remittance__contains="NOVEMBRE")


def test_the_unmatched_lines_are_listed_with_their_suggestion_and_reasons(entity, customer, screen):
    body = _api(entity, "bank:read").get("/api/v1/bank-lines/unmatched", headers={"Accept-Language": "en"})
    assert body.status_code == 200, body.content
    items = {item["remittance"]: item for item in body.json()["items"]}
    assert set(items) == {"VIREMENT NOVEMBRE", "PAIEMENT"}
    proposed = items["VIREMENT NOVEMBRE"]
    assert proposed["status"] == "proposed"
    assert proposed["reason_codes"] == ["name_match", "amount_exact"]
    assert proposed["reasons"][0] == f"the payer is {customer.name}"
    [suggested] = proposed["suggestion"]
    assert (suggested["kind"], suggested["number"], suggested["amount"]) == (
        "invoice", screen["proposed"].number, "120.00",
    )  # fmt: skip
    assert suggested["item"] == item_key(screen["proposed"])
    assert items["PAIEMENT"]["suggestion"] == []


def test_a_suggestion_is_confirmed_then_undone(entity, screen):
    api = _api(entity, *WRITER)
    line = _proposed()
    response = api.post(f"/api/v1/bank-lines/{line.pk}/accept")
    assert response.status_code == 200, response.content
    assert (response.json()["decision"], response.json()["line"]["status"]) == ("manual", "manual")
    assert settlement_of(screen["proposed"]).settlement == Settlement.PAID
    assert AuditEvent.objects.filter(actor_label__startswith="apikey:", object_id=str(line.pk)).exists()
    # confirming again (a second client) is a conflict and changes nothing
    again = api.post(f"/api/v1/bank-lines/{line.pk}/accept")
    assert again.status_code == 409
    assert again.json()["code"] == "bank_line_already_decided"
    # undo: the payment is reversed and the line open again
    undone = api.post(f"/api/v1/bank-lines/{line.pk}/undo")
    assert undone.status_code == 200, undone.content
    assert undone.json()["line"]["status"] == "unreconciled"
    assert settlement_of(screen["proposed"]).settlement == Settlement.UNPAID
    assert Payment.objects.get().is_reversed


def test_a_rejected_suggestion_leaves_the_line_to_match_by_hand(entity, screen):
    line = _proposed()
    response = _api(entity, *WRITER).post(f"/api/v1/bank-lines/{line.pk}/reject")
    assert response.status_code == 200, response.content
    assert response.json()["line"]["status"] == "unreconciled"
    assert response.json()["line"]["suggestion"] == []
    assert BankLine.objects.get(pk=line.pk).rejected
    assert not Payment.objects.exists()


def test_a_line_is_matched_by_hand_over_two_invoices_with_a_write_off(entity, screen):
    api = _api(entity, *WRITER)
    line = BankLine.objects.get(remittance="PAIEMENT")
    parts = [
        {"invoice": str(screen["a"].pk), "amount": "300.00"},
        {"item": item_key(screen["b"]), "amount": "60.00"},
    ]
    # without a write-off the 0.60 short is refused, nothing written
    refused = api.post(f"/api/v1/bank-lines/{line.pk}/match", {"parts": parts})
    assert refused.status_code == 422
    assert not Payment.objects.exists()
    response = api.post(f"/api/v1/bank-lines/{line.pk}/match", {"parts": parts, "write_off": "writeoff"})
    assert response.status_code == 200, response.content
    assert response.json()["decision"] == "manual"
    assert Decimal(response.json()["writeoff_amount"]) == Decimal("0.60")
    assert settlement_of(screen["a"]).settlement == Settlement.PAID
    assert settlement_of(screen["b"]).settlement == Settlement.PAID


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [{"amount": "10.00"}],
        [{"invoice": "00000000-0000-0000-0000-000000000001", "item": "doc:00000000000000000000000000000001",
          "amount": "10.00"}],
        [{"item": "payment:1", "amount": "10.00"}],
        [{"item": "doc:00000000-0000-0000-0000-000000000001", "amount": "-5"}],
    ],
)  # fmt: skip
def test_a_malformed_match_is_refused_before_anything_is_written(entity, screen, parts):
    line = BankLine.objects.get(remittance="PAIEMENT")
    response = _api(entity, *WRITER).post(f"/api/v1/bank-lines/{line.pk}/match", {"parts": parts})
    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_a_line_is_marked_unrelated(entity, screen):
    line = BankLine.objects.get(remittance="PAIEMENT")
    response = _api(entity, *WRITER).post(f"/api/v1/bank-lines/{line.pk}/unrelated")
    assert response.status_code == 200
    assert response.json()["line"]["status"] == "unrelated"


def test_scopes_and_companies_are_kept_apart(entity, screen):
    line = _proposed()
    reader = _api(entity, "bank:read")
    refused = reader.post(f"/api/v1/bank-lines/{line.pk}/accept")
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    # the bank scope alone does not let a key record payments
    without_payments = _api(entity, "bank:write").post(f"/api/v1/bank-lines/{line.pk}/accept")
    assert without_payments.status_code == 403
    assert without_payments.json()["required_scope"] == "payments:write"
    assert _api(entity, "invoices:write").get("/api/v1/bank-lines/unmatched").status_code == 403
    other = make_entity("Autre SAS", siren="732829320")
    outsider = _api(other, "bank:write")
    assert outsider.get("/api/v1/bank-lines/unmatched").json()["items"] == []
    assert outsider.post(f"/api/v1/bank-lines/{line.pk}/accept").status_code == 404
    assert BankLine.objects.get(pk=line.pk).status == LineStatus.PROPOSED


def test_the_operations_are_in_the_openapi_document(entity):
    schema = _api(entity, "bank:read").get("/api/v1/openapi.json").json()
    for path in ("/api/v1/bank-lines/unmatched", "/api/v1/bank-lines/{line_id}/accept",
                 "/api/v1/bank-lines/{line_id}/reject", "/api/v1/bank-lines/{line_id}/match",
                 "/api/v1/bank-lines/{line_id}/undo"):  # fmt: skip
        assert path in schema["paths"], path


def test_a_line_is_matched_to_a_payment_recorded_by_hand_and_undoing_keeps_the_payment(
    entity, customer, owner, screen
):
    from facturier.payments.services import payment_record_for_invoice

    api = _api(entity, *WRITER)
    line = _proposed()  # 120.00
    # the clerk had recorded the transfer from the invoice page before the statement came
    recorded = payment_record_for_invoice(
        invoice=screen["proposed"], amount=Decimal("120.00"), received_on=dt.date(2026, 11, 6), by=owner
    )
    # a payment of another amount is refused
    other = payment_record_for_invoice(
        invoice=screen["a"], amount=Decimal("100.00"), received_on=dt.date(2026, 11, 6), by=owner
    )
    refused = api.post(f"/api/v1/bank-lines/{line.pk}/match-payment", {"payment": str(other.pk)})
    assert refused.status_code == 422
    assert BankLine.objects.get(pk=line.pk).status == LineStatus.PROPOSED
    # the right one: the line is reconciled with it, no second payment recorded
    response = api.post(f"/api/v1/bank-lines/{line.pk}/match-payment", {"payment": str(recorded.pk)})
    assert response.status_code == 200, response.content
    assert (response.json()["decision"], response.json()["payment_id"]) == ("manual", str(recorded.pk))
    assert Payment.objects.count() == 2
    # another line cannot take the same payment
    second = BankLine.objects.get(remittance="PAIEMENT")
    BankLine.objects.filter(pk=second.pk).update(amount=Decimal("120.00"))
    taken = api.post(f"/api/v1/bank-lines/{second.pk}/match-payment", {"payment": str(recorded.pk)})
    assert taken.status_code == 409
    # undo opens the line again and leaves the payment recorded (it was not the reconciliation's)
    assert api.post(f"/api/v1/bank-lines/{line.pk}/undo").status_code == 200
    recorded.refresh_from_db()
    assert not recorded.is_reversed
    assert settlement_of(screen["proposed"]).settlement == Settlement.PAID

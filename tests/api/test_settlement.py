"""The API shows how far each issued invoice is paid and filters on it: derived from payments, not a status."""

import datetime as dt
from decimal import Decimal

from facturier.invoicing.services import invoice_issue
from facturier.payments.services import payment_record_for_invoice
from tests.api.conftest import assert_problem


def test_invoices_show_their_settlement_and_can_be_filtered_by_it(api, draft_invoice, owner):
    # given an issued invoice of 3,204.60 with 1,000 received
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    payment_record_for_invoice(
        invoice=invoice, amount=Decimal("1000.00"), received_on=dt.date(2026, 11, 23), by=owner
    )
    # when it is read, then its status is unchanged and its settlement derived
    body = api.get(f"/api/v1/invoices/{invoice.pk}").json()
    assert body["status"] == "issued"
    assert (body["settlement"], body["amount_paid"], body["balance"]) == (
        "partially_paid",
        "1000.00",
        "2204.60",
    )
    # and the list filters on settlement
    assert [item["id"] for item in api.get("/api/v1/invoices?settlement=partially_paid").json()["items"]] == [
        str(invoice.pk)
    ]
    assert api.get("/api/v1/invoices?settlement=paid").json()["items"] == []
    assert_problem(api.get("/api/v1/invoices?settlement=whatever"), 422, "invalid_choice", "settlement")


def test_drafts_have_no_settlement(api, draft_invoice):
    assert api.get(f"/api/v1/invoices/{draft_invoice.pk}").json()["settlement"] is None

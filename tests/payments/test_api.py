"""`/api/v1/payments`: record with allocations, allocate, unallocate, reverse, refund, list with filters."""

import datetime as dt

import pytest

from facturier.invoicing.services import invoice_issue
from facturier.payments.models import Payment
from facturier.payments.selectors import Settlement, settlement_of
from tests.api.conftest import ALL_SCOPES, ApiClient, assert_problem, make_key


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ALL_SCOPES)
    return ApiClient(secret, key)


pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def invoice(draft_invoice, owner):
    return invoice_issue(invoice=draft_invoice, by=owner)  # payable 3,204.60


def _record(api, customer, invoice, amount="3500.00", allocated="3204.60"):
    return api.post("/api/v1/payments", {
        "customer": str(customer.pk), "amount": amount, "received_on": "2026-11-20", "reference": "VIR 42",
        "allocations": [{"document": str(invoice.pk), "amount": allocated}],
    })  # fmt: skip


def test_a_payment_is_recorded_with_its_allocations_and_read_back(api, customer, invoice):
    response = _record(api, customer, invoice)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["amount"], body["allocated"], body["unallocated"]) == ("3500.00", "3204.60", "295.40")
    assert body["allocations"][0]["document_number"] == invoice.number
    assert settlement_of(invoice).settlement == Settlement.PAID
    assert api.get(f"/api/v1/payments/{body['id']}").json()["reference"] == "VIR 42"


def test_the_list_filters_by_customer_state_and_dates(api, customer, invoice):
    paid = _record(api, customer, invoice).json()
    assert [p["id"] for p in api.get("/api/v1/payments", {"state": "unallocated"}).json()["items"]] == [
        paid["id"]
    ]
    assert api.get("/api/v1/payments", {"state": "allocated"}).json()["items"] == []
    assert len(api.get("/api/v1/payments", {"customer": str(customer.pk)}).json()["items"]) == 1
    assert api.get("/api/v1/payments", {"received_from": "2026-11-21"}).json()["items"] == []
    assert len(api.get("/api/v1/payments", {"search": "vir 42"}).json()["items"]) == 1


def test_unallocate_allocate_and_reverse(api, customer, invoice):
    payment = _record(api, customer, invoice).json()
    allocation = payment["allocations"][0]["id"]
    # unallocate: the invoice is owed again
    response = api.delete(f"/api/v1/payments/{payment['id']}/allocations/{allocation}")
    assert response.status_code == 200, response.content
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    # allocate part of it again
    response = api.post(f"/api/v1/payments/{payment['id']}/allocations",
                        {"document": str(invoice.pk), "amount": "1000.00"})  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["unallocated"] == "2500.00"
    # reverse
    response = api.post(f"/api/v1/payments/{payment['id']}/reverse", {"reason": "bounced"})
    assert response.status_code == 200, response.content
    assert response.json()["reversed_at"] is not None
    assert settlement_of(invoice).settlement == Settlement.UNPAID
    assert_problem(
        api.post(f"/api/v1/payments/{payment['id']}/reverse", {"reason": "again"}), 409, "already_reversed"
    )


def test_a_refund_of_credit(api, customer, invoice):
    _record(api, customer, invoice)  # 295.40 of credit
    response = api.post("/api/v1/payments/refunds", {
        "customer": str(customer.pk), "amount": "95.40", "refunded_on": "2026-11-23",
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "-95.40"
    assert response.json()["is_refund"] is True
    too_much = api.post("/api/v1/payments/refunds", {
        "customer": str(customer.pk), "amount": "500.00", "refunded_on": "2026-11-23",
    })  # fmt: skip
    assert_problem(too_much, 422, "insufficient_credit", "amount")


def test_bad_input_is_refused_and_nothing_written(api, customer, invoice):
    assert_problem(
        _record(api, customer, invoice, amount="100.00", allocated="200.00"), 422, "over_allocation"
    )
    assert_problem(_record(api, customer, invoice, amount="4000.00", allocated="3300.00"), 422, "overpayment")
    response = api.post(
        "/api/v1/payments", {"customer": str(customer.pk), "amount": "-5.00", "received_on": "2026-11-20"}
    )
    assert response.status_code == 422
    assert not Payment.objects.exists()


def test_keys_need_the_payments_scope_and_see_only_their_company(entity, customer, invoice, api):
    _key, secret = make_key(entity, ["invoices:write"])
    assert_problem(ApiClient(secret).get("/api/v1/payments"), 403, "insufficient_scope")
    reader_key, reader = make_key(entity, ["payments:read"])
    payment = _record(api, customer, invoice).json()
    assert_problem(ApiClient(reader).post(f"/api/v1/payments/{payment['id']}/reverse", {"reason": "x"}), 403,
                   "insufficient_scope")  # fmt: skip
    from facturier.accounts.models import LegalEntity

    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    _other_key, other_secret = make_key(other, ["payments:write"])
    assert_problem(ApiClient(other_secret).get(f"/api/v1/payments/{payment['id']}"), 404, "payment_not_found")


def test_receivables_and_open_items_include_the_imported_invoices(api, entity, customer, invoice):
    from facturier.payments.open_items import open_items_import

    csv = (
        "invoice_number,customer_name,customer_siren,customer_iban,issue_date,due_date,amount,currency,rf_reference\n"
        "OLD-001,Boulangerie Martin SARL,443061841,,2026-08-01,2026-08-31,1200.00,EUR,\n"
    )
    open_items_import(entity=entity, content=csv, by=None)
    body = api.get("/api/v1/receivables", {"on": "2026-11-23"}).json()
    assert body["outstanding"] == "4404.60"  # the issued invoice (3,204.60) and the old one (1,200)
    assert body["aged"]["61_90"] == "1200.00"
    items = api.get("/api/v1/open-items").json()["items"]
    assert [(item["number"], item["balance"]) for item in items] == [("OLD-001", "1200.00")]
    # a payment is allocated to it through the API
    response = api.post("/api/v1/payments", {
        "customer": str(customer.pk), "amount": "200.00", "received_on": "2026-11-20",
        "allocations": [{"open_item": items[0]["id"], "amount": "200.00"}],
    })  # fmt: skip
    assert response.status_code == 201, response.content
    assert api.get("/api/v1/open-items").json()["items"][0]["balance"] == "1000.00"

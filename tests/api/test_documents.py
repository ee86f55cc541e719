from decimal import Decimal

from facturier.audit.models import AuditEvent
from facturier.invoicing.models import Document
from facturier.invoicing.services import invoice_issue
from tests.api.conftest import assert_problem


def _invoice_body(customer, product, **extra):
    return {
        "customer": str(customer.pk),
        "lines": [
            {"product": str(product.pk), "quantity": "3"},
            {"description": "Frais de déplacement", "quantity": "1", "unit_price": "120.50"},
        ],
        **extra,
    }


def test_full_flow_create_submit_approve_issue_and_credit(api, approver_api, entity, customer, product):
    # given an entity that requires approval
    entity.requires_approval = True
    entity.save()
    # when an invoice is created through the API
    created = api.post("/api/v1/invoices", _invoice_body(customer, product, buyer_reference="PO-77"))
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert (invoice["status"], invoice["number"], invoice["type_code"]) == ("draft", "", "380")
    assert invoice["tax_inclusive"] == "3204.60"
    assert invoice["lines"][0]["unit_price"] == "850.000000"
    url = f"/api/v1/invoices/{invoice['id']}"
    # then it goes through submit, approve (by the approving system's key) and issue
    assert api.post(f"{url}/submit").json()["status"] == "pending_approval"
    assert approver_api.post(f"{url}/approve").json()["status"] == "approved"
    issued = api.post(f"{url}/issue")
    assert issued.status_code == 200, issued.content
    issued = issued.json()
    assert issued["status"] == "issued"
    assert issued["number"].startswith("FAC-")
    # and a full credit note is created, issued, and cancels the invoice
    credit = api.post(f"{url}/credit-note", {"reason": "Erreur de tarif"})
    assert credit.status_code == 201, credit.content
    credit = credit.json()
    assert (credit["type_code"], credit["preceding_invoice"], credit["tax_inclusive"]) == (
        "381",
        invoice["id"],
        "3204.60",
    )
    credit_url = f"/api/v1/credit_notes/{credit['id']}"
    api.post(f"{credit_url}/submit")
    approver_api.post(f"{credit_url}/approve")
    issued_credit = api.post(f"{credit_url}/issue").json()
    assert issued_credit["number"].startswith("AV") or issued_credit["number"]
    assert api.get(url).json()["status"] == "cancelled"
    # and everything was done by the API keys, as the audit trail says
    events = AuditEvent.objects.filter(action__startswith="invoice.")
    assert set(events.exclude(action="invoice.approved").values_list("actor_label", flat=True)) == {
        f"apikey:{api.key.prefix}"
    }
    assert set(events.filter(action="invoice.approved").values_list("actor_label", flat=True)) == {
        f"apikey:{approver_api.key.prefix}"
    }


def test_quote_converts_to_order_then_invoice_keeping_the_links(api, customer, product):
    # given a quote
    quote = api.post("/api/v1/quotes", {"customer": str(customer.pk), "lines": [{"product": str(product.pk)}],
                                        "valid_until": "2099-12-31"}).json()  # fmt: skip
    assert quote["number"].startswith("DEV-")
    assert quote["valid_until"] == "2099-12-31"
    # when it becomes an order, then an invoice
    order = api.post(f"/api/v1/quotes/{quote['id']}/convert", {"to": "order"})
    assert order.status_code == 201, order.content
    order = order.json()
    invoice = api.post(f"/api/v1/orders/{order['id']}/convert")
    assert invoice.status_code == 201, invoice.content
    invoice = invoice.json()
    # then each points to where it came from, with the same lines and totals
    assert (order["kind"], order["source"]) == ("order", quote["id"])
    assert (invoice["kind"], invoice["source"], invoice["status"]) == ("invoice", order["id"], "draft")
    assert invoice["tax_inclusive"] == quote["tax_inclusive"] == "1020.00"
    assert api.get(f"/api/v1/quotes/{quote['id']}").json()["status"] == "converted"
    # and a converted quote cannot be converted again
    again = api.post(f"/api/v1/quotes/{quote['id']}/convert", {"to": "invoice"})
    assert_problem(again, 409, "illegal_transition")


def test_a_quote_id_is_unknown_under_invoices(api, customer, product):
    quote = api.post(
        "/api/v1/quotes", {"customer": str(customer.pk), "lines": [{"product": str(product.pk)}]}
    )
    assert_problem(api.get(f"/api/v1/invoices/{quote.json()['id']}"), 404, "document_not_found")


def test_a_draft_is_updated_with_new_lines_and_allowances(api, draft_invoice):
    response = api.patch(f"/api/v1/invoices/{draft_invoice.pk}", {
        "note": "Merci", "lines": [{"description": "Audit", "quantity": "2", "unit_price": "500"}],
        "allowances_charges": [{"reason": "Remise fidélité", "amount": "100.00"},
                               {"reason": "Port", "is_charge": True, "amount": "10.00"}],
    })  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert [line["description"] for line in body["lines"]] == ["Audit"]
    assert (body["line_total"], body["allowance_total"], body["charge_total"]) == (
        "1000.00",
        "100.00",
        "10.00",
    )
    assert (body["tax_exclusive"], body["tax_inclusive"], body["note"]) == ("910.00", "1092.00", "Merci")
    draft_invoice.refresh_from_db()
    assert draft_invoice.tax_inclusive == Decimal("1092.00")


def test_a_draft_invoice_can_be_deleted_but_not_an_issued_one(api, draft_invoice, customer, product):
    assert api.delete(f"/api/v1/invoices/{draft_invoice.pk}").status_code == 204
    assert not Document.objects.filter(pk=draft_invoice.pk).exists()
    other = api.post("/api/v1/invoices", _invoice_body(customer, product)).json()
    api.post(f"/api/v1/invoices/{other['id']}/issue")
    assert_problem(api.delete(f"/api/v1/invoices/{other['id']}"), 409, "document_not_deletable")


def test_invoice_list_filters_by_status_customer_dates_and_search(api, entity, customer, product, owner):
    from facturier.parties.services import customer_create

    other = customer_create(entity=entity, by=owner, code="C2", name="Garage Dubois", address_line1="a",
                            postcode="1", city="Nantes")  # fmt: skip
    first = api.post("/api/v1/invoices", _invoice_body(customer, product)).json()
    api.post("/api/v1/invoices", _invoice_body(other, product))
    issued = api.post(f"/api/v1/invoices/{first['id']}/issue").json()

    def ids(**params):
        return [item["id"] for item in api.get("/api/v1/invoices", params).json()["items"]]

    assert ids(status="issued") == [first["id"]]
    assert len(ids(status="draft")) == 1
    assert ids(customer=str(customer.pk)) == [first["id"]]
    assert len(ids(search="dubois")) == 1
    assert first["id"] not in ids(search="dubois")
    assert ids(search=issued["number"]) == [first["id"]]
    assert ids(date_from=issued["issue_date"], date_to=issued["issue_date"]) == [first["id"]]
    assert ids(date_from="2000-01-01", date_to="2000-12-31") == []
    assert ids(type_code="386") == []
    assert_problem(api.get("/api/v1/invoices", {"status": "lost"}), 422, "invalid_choice", field="status")
    assert_problem(api.get("/api/v1/invoices", {"date_from": "yesterday"}), 422, "validation_error",
                   field="date_from")  # fmt: skip


def test_creating_an_invoice_twice_with_the_same_idempotency_key_creates_one(api, customer, product):
    headers = {"Idempotency-Key": "9f1c-invoice"}
    first = api.post("/api/v1/invoices", _invoice_body(customer, product), headers=headers)
    second = api.post("/api/v1/invoices", _invoice_body(customer, product), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Document.objects.filter(kind="invoice").count() == 1


def test_approval_actions_are_refused_when_not_pending(approver_api, draft_invoice):
    response = approver_api.post(f"/api/v1/invoices/{draft_invoice.pk}/approve")
    assert_problem(response, 409, "illegal_transition")
    response = approver_api.post(f"/api/v1/invoices/{draft_invoice.pk}/reject", {"reason": "Wrong price"})
    assert_problem(response, 409, "illegal_transition")


def test_a_credit_note_larger_than_the_invoice_is_refused(api, draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    response = api.post(f"/api/v1/invoices/{invoice.pk}/credit-note", {
        "lines": [{"description": "Trop", "quantity": "10", "unit_price": "1000"}]})  # fmt: skip
    assert_problem(response, 422, "credit_exceeds_invoice", field="lines")
    assert not Document.objects.filter(type_code="381").exists()


def test_a_draft_invoice_cannot_be_credited(api, draft_invoice):
    response = api.post(f"/api/v1/invoices/{draft_invoice.pk}/credit-note", {})
    assert_problem(response, 409, "not_creditable")


def test_an_invoice_in_a_foreign_currency_needs_its_exchange_rate(api, customer, product):
    body = _invoice_body(customer, product, currency="USD")
    assert_problem(api.post("/api/v1/invoices", body), 422, "exchange_rate_required", field="exchange_rate")
    too_precise = api.post("/api/v1/invoices", {**body, "exchange_rate": "1.08561234"})
    assert_problem(too_precise, 422, "validation_error", field="exchange_rate")
    assert not Document.objects.exists()
    created = api.post("/api/v1/invoices", {**body, "exchange_rate": "1.0856"})
    assert created.status_code == 201, created.content
    assert (created.json()["currency"], created.json()["exchange_rate"]) == ("USD", "1.085600")

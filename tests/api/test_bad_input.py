"""Issue 2, "Bad input": each case is a problem+json naming the code and the field, and the database
is left exactly as before (every business table compared row by row, not just counted)."""

from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.audit.models import AuditEvent
from facturier.catalog.models import Product
from facturier.invoicing.models import AllowanceCharge, Document, Line, NumberingSeries, SequenceCounter
from facturier.invoicing.services import invoice_issue
from facturier.invoicing.services.drafts import MAX_AMOUNT
from facturier.parties.models import Customer, Supplier
from tests.api.conftest import assert_problem

TABLES = (
    Customer,
    Supplier,
    Product,
    Document,
    Line,
    AllowanceCharge,
    AuditEvent,
    NumberingSeries,
    SequenceCounter,
)


def database_state():
    """Every row of every business table, as plain values."""
    return {
        model.__name__: sorted(
            (model_to_dict(row) | {"pk": str(row.pk)} for row in model.objects.all()),
            key=lambda row: row["pk"],
        )  # fmt: skip
        for model in TABLES
    }


def customer_body(**extra):
    return {"code": "C200", "name": "Nouveau", "address_line1": "1 rue A", "postcode": "75001", "city": "Paris",
            **extra}  # fmt: skip


def invoice_body(customer, **line):
    return {"customer": str(customer.pk), "lines": [{"description": "Conseil", "quantity": "2",
                                                     "unit_price": "100.00", **line}]}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("siren", "443061842", "invalid_siren"),
        ("siret", "44306184100014", "invalid_siret"),
        ("vat_number", "FR00443061841", "invalid_vat_number"),
        ("currency", "FRF", "invalid_currency"),
    ],
)
def test_a_customer_with_an_invalid_identifier_or_currency_is_refused(api, customer, field, value, code):
    before = database_state()
    response = api.post("/api/v1/customers", customer_body(**{field: value}))
    assert_problem(response, 422, code, field=field)
    assert database_state() == before


def test_an_invalid_siren_on_a_customer_update_leaves_it_unchanged(api, customer):
    before = database_state()
    response = api.patch(f"/api/v1/customers/{customer.pk}", {"siren": "123456789", "city": "Paris"})
    assert_problem(response, 422, "invalid_siren", field="siren")
    assert database_state() == before


def test_an_invalid_iban_is_refused_and_the_supplier_left_unchanged(api, entity):
    supplier = Supplier.objects.create(
        entity=entity, name="Imprimerie Rapide", iban="FR7630006000011234567890189"
    )
    before = database_state()
    response = api.patch(
        f"/api/v1/suppliers/{supplier.pk}", {"iban": "FR7630006000011234567890188", "name": "X"}
    )
    assert_problem(response, 422, "invalid_iban", field="iban")
    assert database_state() == before
    supplier.refresh_from_db()
    assert (supplier.iban, supplier.name) == ("FR7630006000011234567890189", "Imprimerie Rapide")


def test_an_invoice_in_an_unknown_currency_is_refused(api, customer):
    before = database_state()
    response = api.post("/api/v1/invoices", {**invoice_body(customer), "currency": "XYZ"})
    assert_problem(response, 422, "invalid_currency", field="currency")
    assert database_state() == before


def test_unreadable_payment_terms_are_refused_before_they_break_the_due_date(api, customer, draft_invoice):
    before = database_state()
    response = api.post("/api/v1/invoices", {**invoice_body(customer), "payment_terms": "someday"})
    assert_problem(response, 422, "invalid_payment_terms", field="payment_terms")
    response = api.patch(f"/api/v1/invoices/{draft_invoice.pk}", {"payment_terms": "net 30 maybe"})
    assert_problem(response, 422, "invalid_payment_terms", field="payment_terms")
    assert database_state() == before


def test_a_negative_quantity_is_refused_on_an_invoice(api, customer):
    before = database_state()
    response = api.post("/api/v1/invoices", invoice_body(customer, quantity="-1"))
    assert_problem(response, 422, "negative_quantity", field="lines[0].quantity")
    assert database_state() == before


def test_a_negative_quantity_is_allowed_on_a_credit_note(api, draft_invoice, owner):
    # given an issued invoice
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # when a credit note gives back one day of consulting as a negative quantity
    response = api.post("/api/v1/credit_notes", {"invoice": str(invoice.pk), "lines": [
        {"description": "Journée non effectuée", "quantity": "-1", "unit_price": "850.00"}]})  # fmt: skip
    # then it is accepted as written
    assert response.status_code == 201, response.content
    assert response.json()["lines"][0]["quantity"] == "-1.000000"
    assert response.json()["tax_exclusive"] == "-850.00"


def test_more_than_two_decimals_on_an_amount_is_refused(api, customer):
    before = database_state()
    body = {**invoice_body(customer), "allowances_charges": [{"reason": "Remise", "amount": "10.125"}]}
    response = api.post("/api/v1/invoices", body)
    assert_problem(response, 422, "invalid_amount", field="allowances_charges[0].amount")
    assert database_state() == before


def test_a_price_with_20_integer_digits_is_refused_on_invoices_and_products(api, customer):
    before = database_state()
    huge = "12345678901234567890"
    response = api.post("/api/v1/invoices", invoice_body(customer, unit_price=huge))
    assert_problem(response, 422, "invalid_amount", field="lines[0].unit_price")
    response = api.post("/api/v1/products", {"sku": "BIG", "name": "Trop cher", "unit_price": huge})
    assert_problem(response, 422, "invalid_amount", field="unit_price")
    assert database_state() == before


def test_an_amount_sent_as_a_json_float_is_refused(api, customer):
    before = database_state()
    response = api.post("/api/v1/invoices", invoice_body(customer, unit_price=0.1))
    body = assert_problem(response, 422, "validation_error", field="lines[0].unit_price")
    assert body["errors"][0]["type"] == "decimal_as_string"
    assert database_state() == before


def test_editing_an_issued_invoice_is_refused_with_409(api, draft_invoice, owner):
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    before = database_state()
    response = api.patch(f"/api/v1/invoices/{invoice.pk}", {"note": "changed", "lines": [
        {"description": "Autre", "quantity": "1", "unit_price": "1"}]})  # fmt: skip
    body = assert_problem(response, 409, "document_not_editable")
    assert body["current_status"] == "issued"
    assert database_state() == before


def test_issuing_twice_is_refused_with_409_and_the_number_is_kept(api, draft_invoice):
    first = api.post(f"/api/v1/invoices/{draft_invoice.pk}/issue")
    assert first.status_code == 200, first.content
    before = database_state()
    second = api.post(f"/api/v1/invoices/{draft_invoice.pk}/issue")
    body = assert_problem(second, 409, "illegal_transition")
    assert (body["current_status"], body["requested_status"]) == ("issued", "issued")
    assert database_state() == before


def test_an_unknown_customer_or_product_of_another_company_is_a_field_error(api, customer, entity):
    from facturier.accounts.models import LegalEntity
    from facturier.catalog.services import product_create

    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    foreign = product_create(entity=other, by=None, sku="X", name="Ailleurs", unit_price="1")
    before = database_state()
    response = api.post(
        "/api/v1/invoices", {"customer": str(customer.pk), "lines": [{"product": str(foreign.pk)}]}
    )
    assert_problem(response, 422, "unknown_product", field="lines[0].product")
    response = api.post("/api/v1/invoices", {"customer": "6d3d9a8e-0000-4000-8000-000000000000", "lines": []})
    assert_problem(response, 422, "unknown_customer", field="customer")
    assert database_state() == before


# Accepted quantities stay within 15 significant digits (SQLite keeps no more, see the catalog tests).
QUANTITIES = st.one_of(
    st.decimals(min_value=Decimal("-1e8"), max_value=Decimal("1e8"), places=7, allow_nan=False),
    st.integers(min_value=10**14, max_value=10**20).map(Decimal),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quantity=QUANTITIES)
def test_any_quantity_is_stored_exactly_or_refused_without_a_trace(api, customer, quantity):
    # property: the API never rounds a quantity behind the client's back, and a refusal writes nothing
    before = database_state()
    # (written without exponent: the schema refuses "1E+2", see test_bounds)
    written = format(quantity, "f")
    written = written.rstrip("0").rstrip(".") if "." in written else written
    response = api.post("/api/v1/invoices", invoice_body(customer, quantity=written, unit_price="1"))
    # an e-invoice quantity has at most 4 decimals (BR-FR-DEC-02) and a line at most MAX_AMOUNT
    fits = quantity == quantity.quantize(Decimal("0.0001")) and abs(quantity) < Decimal(10) ** 14
    if fits and 0 <= quantity <= MAX_AMOUNT:
        assert response.status_code == 201, response.content
        assert Decimal(response.json()["lines"][0]["quantity"]) == quantity
    else:
        body = assert_problem(response, 422, body_code(quantity, fits), field="lines[0].quantity")
        assert body["detail"]
        assert database_state() == before


def body_code(quantity, fits):
    if not fits:
        return "invalid_amount"
    return "negative_quantity" if quantity < 0 else "amount_too_large"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"buyer_reference": "x" * 101}, "buyer_reference", "validation_error"),
        ({"lines": [{"description": "a", "unit_price": "1", "unit": "ABCD"}]}, "lines[0].unit", "invalid_unit"),
        ({"lines": [{"description": "a", "unit_price": "1", "vat_rate": "123456"}]}, "lines[0].vat_rate",
         "validation_error"),
        ({"lines": [{"description": "a" * 501, "unit_price": "1"}]}, "lines[0].description", "validation_error"),
        ({"allowances_charges": [{"reason": "r" * 201, "amount": "1"}]}, "allowances_charges[0].reason",
         "validation_error"),
        ({"allowances_charges": [{"reason": "r", "percent": "1000"}]}, "allowances_charges[0].percent",
         "validation_error"),
        ({"allowances_charges": [{"percent": "5", "base_amount": "1" * 20}]}, "allowances_charges[0].base_amount",
         "invalid_amount"),
    ],
)  # fmt: skip
def test_values_too_long_or_out_of_range_are_field_errors_not_server_errors(
    api, customer, change, field, code
):
    before = database_state()
    response = api.post("/api/v1/invoices", {**invoice_body(customer), **change})
    assert_problem(response, 422, code, field=field)
    assert database_state() == before


def test_a_customer_or_product_name_with_a_control_character_is_refused(api, customer):
    before = database_state()
    response = api.post("/api/v1/customers", customer_body(name="Nul\x00part"))
    assert_problem(response, 422, "invalid_character", field="name")
    response = api.patch(f"/api/v1/customers/{customer.pk}", {"address_line1": "1\x01 rue"})
    assert_problem(response, 422, "invalid_character", field="address_line1")
    response = api.post(
        "/api/v1/products", {"sku": "P", "name": "Tab\tand newline\nare fine, \x01 is not", "unit_price": "1"}
    )
    assert_problem(response, 422, "invalid_character", field="name")
    assert database_state() == before


def test_an_invoice_refused_by_e_invoice_validation_lists_the_findings_and_stays_a_draft(
    api, entity, settings, shared_dir
):
    # given validation on issue with the official rules (the team's conformance folder)
    settings.CONFORMANCE_DIR, settings.EINVOICE_VALIDATE_ON_ISSUE = str(shared_dir / "conformance"), True
    # and a French business customer without its SIREN (BR-FR-11 needs it on a B2B invoice)
    from facturier.parties.services import customer_create

    buyer = customer_create(entity=entity, by=None, code="NOSIREN", name="Sans SIREN", address_line1="1 rue A",
                            postcode="75001", city="Paris")  # fmt: skip
    invoice = api.post("/api/v1/invoices", invoice_body(buyer)).json()
    before = database_state()
    # when it is issued
    response = api.post(f"/api/v1/invoices/{invoice['id']}/issue")
    # then the problem carries the rule findings and nothing was numbered or sealed
    body = assert_problem(response, 422, "einvoice_invalid")
    rules = {finding["rule"] for finding in body["findings"]}
    assert any(rule.startswith("BR-FR-11") for rule in rules)
    assert {"rule", "severity", "location", "message"} <= set(body["findings"][0])
    assert database_state() == before

"""Whatever JSON a client sends to create and issue an invoice, the API answers with a document or a
problem naming the field, never a server error, and a refusal writes nothing."""

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.api.conftest import assert_problem
from tests.api.test_bad_input import database_state

SANE = st.decimals(min_value=-50, max_value=10_000, places=2).map(str)
WILD = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, min_value=-(10**22), max_value=10**22).map(str),
    st.integers(min_value=-(10**22), max_value=10**22),
    st.sampled_from(["0", "-0", "1e30", "1E+5", "NaN", "Infinity", " 12 ", "abc", "", "0.005", "100.001"]),
    st.floats(allow_nan=False, allow_infinity=False),
)
DECIMALS = st.one_of(SANE, SANE, SANE, WILD)  # mostly plausible, so that many bodies get deep
TEXT = st.one_of(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20), st.text(max_size=600))
OPTIONAL_LINE = {
    "quantity": DECIMALS, "discount_percent": DECIMALS, "vat_rate": DECIMALS,
    "unit": st.sampled_from(["C62", "HUR", "DAY", "XX", "", "ABCD"]),
    "vat_category": st.sampled_from(["S", "S", "Z", "E", "AE", "K", "G", "O", "QQ", ""]),
    "accounting_category": st.sampled_from(["goods", "services", "other"]),
}  # fmt: skip
LINE = st.one_of(
    st.fixed_dictionaries({"description": TEXT, "unit_price": SANE}, optional=OPTIONAL_LINE),
    st.fixed_dictionaries({}, optional={"description": TEXT, "unit_price": DECIMALS, **OPTIONAL_LINE}),
)
ALLOWANCE = st.fixed_dictionaries(
    {"reason": TEXT},
    optional={
        "is_charge": st.booleans(), "amount": DECIMALS, "percent": DECIMALS, "base_amount": DECIMALS,
        "vat_category": st.sampled_from(["S", "Z", "QQ"]), "vat_rate": DECIMALS,
    },
)  # fmt: skip
HEADER = {
    "allowances_charges": st.lists(ALLOWANCE, max_size=2),
    "currency": st.sampled_from(["EUR", "EUR", "USD", "XXX", "eur", "", "EURO"]),
    "exchange_rate": DECIMALS,
    "payment_terms": st.sampled_from(["net30", "45eom", "eom45", "net0", "someday", ""]),
    "type_code": st.sampled_from(["380", "380", "386", "384", "381", "999"]),
    "buyer_reference": TEXT,
    "language": st.sampled_from(["fr", "en", "fr", "en", "de"]),
    "delivery_date": st.sampled_from(["2026-01-31", "2025-12-01", "2026-06-15", "2026-02-30", "tomorrow"]),
}


@pytest.mark.slow
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"lines": st.lists(LINE, min_size=1, max_size=3)}, optional=HEADER))
def test_no_invoice_body_makes_the_api_fail_or_half_write(api, customer, body):
    before = database_state()
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk), **body})
    assert response.status_code in (201, 422), response.content
    event(f"create {response.status_code} {response.json().get('code', '')}")
    if response.status_code == 422:
        assert_problem(response, 422, response.json()["code"])
        assert database_state() == before
        return
    issued = api.post(f"/api/v1/invoices/{response.json()['id']}/issue")
    assert issued.status_code in (200, 409, 422), issued.content
    event(f"issue {issued.status_code} {issued.json().get('code', '')}")


CUSTOMER_FIELDS = {
    "name": TEXT, "address_line1": TEXT, "postcode": st.text(max_size=12), "city": TEXT,
    "country": st.sampled_from(["FR", "BE", "DE", "US", "GP", "fr", "XX", ""]),
    "kind": st.sampled_from(["business", "consumer", "public", "other"]),
    "vat_regime": st.sampled_from(["domestic", "intra_eu_reverse_charge", "export", "exempt", "other"]),
    "exemption_reason": TEXT, "siren": st.sampled_from(["", "443061841", "443061842", "12"]),
    "vat_number": st.sampled_from(["", "FR64443061841", "BE0403019261", "DE123"]),
    "email": st.sampled_from(["", "a@b.example", "nope"]), "language": st.sampled_from(["fr", "en", "xx"]),
    "currency": st.sampled_from(["EUR", "USD", "XYZ"]), "payment_terms": st.sampled_from(["net30", "eom45", "x"]),
    "electronic_address_scheme": st.sampled_from(["", "0225", "0009"]),
    "electronic_address": st.sampled_from(["", "443061841", "x" * 120]),
    "delivery_line1": TEXT, "notes": TEXT,
}  # fmt: skip
_CODES = iter(range(10**6))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.fixed_dictionaries({}, optional=CUSTOMER_FIELDS))
def test_a_customer_the_api_accepts_can_be_invoiced_or_is_refused_cleanly(api, fields):
    body = {"code": f"F{next(_CODES)}", "name": "Client", "address_line1": "1 rue", "postcode": "75001",
            "city": "Paris", **fields}  # fmt: skip
    before = database_state()
    created = api.post("/api/v1/customers", body)
    assert created.status_code in (201, 422), created.content
    event(
        f"customer {created.status_code} {created.json().get('code', '') if created.status_code == 422 else ''}"
    )
    if created.status_code == 422:
        assert database_state() == before
        return
    customer = created.json()
    invoice_body = {"customer": customer["id"], "lines": [{"description": "Conseil", "unit_price": "100"}]}
    if customer["currency"] != "EUR":
        invoice_body["exchange_rate"] = "1.1"
    invoice = api.post("/api/v1/invoices", invoice_body)
    if invoice.status_code == 422:  # a customer whose identifiers the VAT category needs are missing
        assert_problem(invoice, 422, "vat_category_needs_buyer_id", field="lines[0].vat_category")
        return
    assert invoice.status_code == 201, invoice.content
    issued = api.post(f"/api/v1/invoices/{invoice.json()['id']}/issue")
    assert issued.status_code in (200, 422), issued.content
    event(f"issue {issued.status_code} {issued.json().get('code', '')}")


PRODUCT_FIELDS = {
    "name": TEXT, "description": TEXT, "unit": st.sampled_from(["C62", "HUR", "DAY", "KGM", "XX"]),
    "unit_price": DECIMALS, "vat_category": st.sampled_from(["S", "Z", "E", "AE", "K", "G", "O", "QQ"]),
    "vat_rate": DECIMALS, "accounting_category": st.sampled_from(["goods", "services", "x"]),
}  # fmt: skip


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=st.fixed_dictionaries({}, optional=PRODUCT_FIELDS), quantity=DECIMALS)
def test_a_product_the_api_accepts_can_be_invoiced_or_is_refused_cleanly(api, customer, fields, quantity):
    body = {"sku": f"F{next(_CODES)}", "name": "Produit", "unit_price": "10", **fields}
    before = database_state()
    created = api.post("/api/v1/products", body)
    assert created.status_code in (201, 422), created.content
    event(
        f"product {created.status_code} {created.json().get('code', '') if created.status_code == 422 else ''}"
    )
    if created.status_code == 422:
        assert database_state() == before
        return
    line = {"product": created.json()["id"], "quantity": quantity}
    before = database_state()
    invoice = api.post("/api/v1/invoices", {"customer": str(customer.pk), "lines": [line]})
    assert invoice.status_code in (201, 422), invoice.content
    if invoice.status_code == 422:
        assert database_state() == before
        return
    issued = api.post(f"/api/v1/invoices/{invoice.json()['id']}/issue")
    assert issued.status_code in (200, 422), issued.content
    event(f"issue {issued.status_code} {issued.json().get('code', '')}")


def test_a_reverse_charge_customer_without_vat_number_is_refused_at_draft_naming_the_line(api):
    # given an EU business customer under reverse charge whose VAT number (and registration) is unknown
    created = api.post("/api/v1/customers", {"code": "EUNOVAT", "name": "Client UE", "address_line1": "1 Markt",
                                             "postcode": "1000", "city": "Brussel", "country": "BE",
                                             "vat_regime": "intra_eu_reverse_charge"})  # fmt: skip
    assert created.status_code == 201, created.content
    # when a services invoice is drafted, then it is refused naming the line's VAT category (BR-AE-02)
    before = database_state()
    invoice = api.post("/api/v1/invoices", {"customer": created.json()["id"],
                                            "lines": [{"description": "Conseil", "unit_price": "100"}]})  # fmt: skip
    assert_problem(invoice, 422, "vat_category_needs_buyer_id", field="lines[0].vat_category")
    assert database_state() == before

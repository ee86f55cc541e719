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

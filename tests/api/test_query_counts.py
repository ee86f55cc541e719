"""Every API list endpoint runs as many SQL queries for 30 documents and customers as for 3 (issue 9)."""

import pytest
import time_machine

from tests.growth import ISSUED_ON, grow, queries_of

ENDPOINTS = ["/api/v1/invoices", "/api/v1/credit_notes", "/api/v1/quotes", "/api/v1/orders",
             "/api/v1/customers", "/api/v1/products", "/api/v1/suppliers", "/api/v1/inbox",
             "/api/v1/invoices?search=Client", "/api/v1/invoices?settlement=unpaid",
             "/api/v1/customers?search=Client"]  # fmt: skip


@pytest.mark.slow
@time_machine.travel(ISSUED_ON, tick=False)
def test_api_lists_run_the_same_queries_for_3_or_30_documents(api, entity, product, owner):
    # given a company with 3 customers, each with an issued invoice, a quote and an order
    grow(entity, product, owner, up_to=3)
    small = {path: queries_of(api.get, path) for path in ENDPOINTS}
    # when it grows to 30
    grow(entity, product, owner, up_to=30)
    large = {path: queries_of(api.get, path) for path in ENDPOINTS}
    # then no endpoint runs more queries
    assert large == small

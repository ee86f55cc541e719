"""Every list page and the dashboard run as many SQL queries with 30 documents and customers as with 3:
nothing is fetched once per row (issue 9)."""

import pytest
import time_machine

from tests.growth import ISSUED_ON, grow, queries_of

PAGES = ["/", "/invoices/", "/credit-notes/", "/quotes/", "/orders/", "/customers/", "/products/", "/payments/",
         "/approvals/", "/inbox/", "/invoices/?q=Client", "/customers/?q=Client"]  # fmt: skip


@pytest.mark.slow
@time_machine.travel(ISSUED_ON, tick=False)
def test_list_pages_and_dashboard_run_the_same_queries_for_3_or_30_documents(
    owner_client, entity, product, owner
):
    # given a company with 3 customers, each with an issued invoice, a quote and an order
    grow(entity, product, owner, up_to=3)
    small = {path: queries_of(owner_client.get, path) for path in PAGES}
    # when it grows to 30
    grow(entity, product, owner, up_to=30)
    large = {path: queries_of(owner_client.get, path) for path in PAGES}
    # then no page runs more queries
    assert large == small

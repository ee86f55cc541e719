"""In a real browser: the invoice list's customer filter is a search box (ARIA combobox) used from the
keyboard alone, not a drop-down of every customer (issue 9)."""

import re
import shutil

import pytest

from tests.e2e import server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="Debian's chromium is not installed: apt-get install chromium",
    ),
]

TWO_CUSTOMERS = """
from facturier.invoicing.services import LineData, document_create
from facturier.parties.models import Customer
other = customer_create(
    entity=entity, by=None, code="C002", name="Garage Petit", address_line1="1 rue", postcode="75001", city="Paris",
)
for who in (Customer.objects.get(code="C001"), other):
    document_create(entity=entity, kind="invoice", customer=who, by=user,
                    lines=[LineData(description="Audit", unit_price=Decimal("100"))])
"""


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    with server.running(tmp_path_factory.mktemp("facturier-list-search"), TWO_CUSTOMERS) as url:
        yield url


def test_the_invoice_list_is_filtered_by_a_customer_found_by_typing(base_url):
    from playwright.sync_api import expect

    with server.browser_tab(base_url) as page:
        server.sign_in(page)
        page.goto("/invoices/")
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(2)
        # the customer filter is a combobox, with no drop-down of customers in the page
        search = page.locator("#id_customer")
        expect(search).to_have_attribute("role", "combobox")
        assert page.locator("select#id_customer").count() == 0
        # when the user types part of a name, moves to the suggestion and takes it with the keyboard
        search.focus()
        search.press_sequentially("gar")
        # (the suggestions of "g" may show first when typing is slow: wait for those of "gar")
        expect(page.locator("#id_customer-suggestions [role=option]")).to_have_count(1)
        expect(page.locator("#id_customer-suggestions [role=option]")).to_contain_text("Garage Petit")
        expect(search).to_have_attribute("aria-expanded", "true")
        search.press("ArrowDown")
        expect(search).to_have_attribute("aria-activedescendant", re.compile("option-0"))
        search.press("Enter")
        expect(search).to_have_value("Garage Petit")
        # and submits the filter
        search.press("Enter")
        page.wait_for_url(re.compile(r"customer=[0-9a-f-]{36}"))
        # then only that customer's invoice is listed
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Garage Petit")

"""The customer and payment lists page by keyset (after=/before= cursors, no OFFSET) and count only up
to a cap (issue 9)."""

import datetime as dt
import re
from decimal import Decimal

import time_machine

from facturier.invoicing.models import Document, Kind
from facturier.invoicing.selectors import newest_first
from facturier.invoicing.services import LineData, document_create, invoice_issue
from facturier.parties.models import Customer
from facturier.payments.services import payment_record
from facturier.web import keyset
from facturier.web.listing import list_page


def _names(response) -> list[str]:
    return re.findall(r'href="/customers/[0-9a-f-]+/">([^<]+)</a>', response.content.decode())


def _link(response, rel: str) -> str:
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', response.content.decode())
    return found.group(1).replace("&amp;", "&") if found else ""


def test_customer_pages_go_forward_and_back_without_losing_or_repeating_anyone(owner_client, entity):
    # given 60 customers, some with the same name (the id breaks the tie)
    for n in range(60):
        Customer.objects.create(entity=entity, code=f"K{n:03d}", name=f"Client {n % 40:02d}")
    # when the list is read page by page forward
    seen: list[str] = []
    pages = []
    query = ""
    while True:
        response = owner_client.get(f"/customers/?{query}")
        assert response.status_code == 200
        pages.append(_names(response))
        seen += pages[-1]
        query = _link(response, "next")
        if not query:
            break
    # then every customer is shown once, in name order, 25 a page
    assert len(seen) == 60
    assert seen == sorted(seen)
    assert [len(p) for p in pages] == [25, 25, 10]
    # and "previous" from the last page leads back to the middle one, then to the first
    back = owner_client.get(f"/customers/?{_link(response, 'prev')}")
    assert _names(back) == pages[1]
    first = owner_client.get(f"/customers/?{_link(back, 'prev')}")
    assert _names(first) == pages[0]
    assert not _link(first, "prev")


def test_a_list_above_the_cap_says_more_than_instead_of_counting(entity, customer, owner):
    # given 4 payments and a cap of 2
    for day in range(1, 5):
        payment_record(entity=entity, customer=customer, amount=Decimal("10.00"), received_on=dt.date(2026, 3, day),
                       by=owner, currency="EUR")  # fmt: skip
    from facturier.payments.models import Payment

    rows = Payment.objects.filter(entity=entity)
    # when the first page of 3 is read, then it is counted only up to 3 and has a next page
    page = keyset.keyset_page(rows, ("-received_on", "-created_at", "-id"), size=3, count_up_to=2)
    assert not page.counted
    assert [p.received_on.day for p in page] == [4, 3, 2]
    assert page.next_cursor
    # and the next page holds the rest; a broken cursor is the first page
    rest = keyset.keyset_page(rows, ("-received_on", "-created_at", "-id"), after=page.next_cursor, size=3)
    assert [p.received_on.day for p in rest] == [1]
    assert not rest.next_cursor
    assert rest.previous_cursor
    assert (
        list(keyset.keyset_page(rows, ("-received_on", "-created_at", "-id"), after="%%%", size=3))
        == page.rows
    )


def test_payment_list_pages(owner_client, entity, customer, owner):
    for day in range(1, 4):
        payment_record(entity=entity, customer=customer, amount=Decimal("10.00"), received_on=dt.date(2026, 3, day),
                       by=owner, currency="EUR")  # fmt: skip
    response = owner_client.get("/payments/")
    assert response.status_code == 200
    assert "3 results" in response.content.decode() or "3 résultats" in response.content.decode()


@time_machine.travel(dt.date(2026, 3, 6), tick=False)
def test_document_pages_walk_back_the_way_they_came_through_drafts_and_issued_rows(
    entity, customer, product, owner
):
    # given 4 issued invoices (same issue date) and 3 drafts, read 3 a page newest first
    lines = [LineData(product=product, quantity=Decimal(1))]
    for n in range(7):
        invoice = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner, lines=lines)
        if n < 4:
            invoice_issue(invoice=invoice, by=owner, issue_date=dt.date(2026, 3, 6))
    rows = Document.objects.filter(entity=entity, kind=Kind.INVOICE)
    expected = [d.pk for d in newest_first(rows)]
    # when the pages are read forward, then backward from the last one
    pages = [list_page(rows, "", size=3)]
    while pages[-1].next_cursor:
        pages.append(list_page(rows, pages[-1].next_cursor, size=3))
    backward = [pages[-1]]
    while backward[-1].previous_cursor:
        backward.append(list_page(rows, "", size=3, before_cursor=backward[-1].previous_cursor))
    # then forward shows every row once in order, and backward shows the same pages in reverse
    assert [d.pk for page in pages for d in page] == expected
    assert [[d.pk for d in page] for page in reversed(backward)] == [[d.pk for d in page] for page in pages]

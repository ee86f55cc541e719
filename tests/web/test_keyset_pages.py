"""The customer and payment lists page by keyset (after=/before= cursors, no OFFSET) and count only up
to a cap (issue 9)."""

import datetime as dt
import re
from decimal import Decimal

from facturier.parties.models import Customer
from facturier.payments.services import payment_record
from facturier.web import keyset


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

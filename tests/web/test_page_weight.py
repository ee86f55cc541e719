"""Pages that choose a customer or a product stay light however many the company has: the choosers are
searches (web:lookup), never a drop-down of every row (issue 9: no page over 500 KB at 100,000 customers)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from facturier.catalog.models import Product
from facturier.parties.models import Customer

PAGES = [
    ("web:document-list", {"slug": "invoices"}),
    ("web:document-list", {"slug": "credit-notes"}),
    ("web:document-list", {"slug": "quotes"}),
    ("web:document-list", {"slug": "orders"}),
    ("web:document-create", {"slug": "invoices"}),
    ("web:document-create", {"slug": "quotes"}),
    ("web:document-create", {"slug": "orders"}),
]
MANY = 2_000
LIMIT = 500_000


def sizes(client) -> dict[str, int]:
    result = {}
    for name, kwargs in PAGES:
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 200, (name, kwargs)
        result[f"{name} {kwargs}"] = len(response.content)
    return result


@pytest.mark.slow
def test_list_and_editor_pages_do_not_grow_with_customers_and_products(owner_client, entity):
    # given a company with one customer and one product
    Customer.objects.create(entity=entity, code="K00000", name="Client K00000", city="Paris")
    Product.objects.create(entity=entity, sku="P00000", name="Produit 0", unit_price=Decimal("1"))
    few = sizes(owner_client)
    # when it has 2,000 of each
    Customer.objects.bulk_create(
        Customer(entity=entity, code=f"K{n:05d}", name=f"Client K{n:05d}", city="Paris")
        for n in range(1, MANY)
    )
    Product.objects.bulk_create(
        Product(entity=entity, sku=f"P{n:05d}", name=f"Produit {n}", unit_price=Decimal("1"))
        for n in range(1, MANY)
    )
    many = sizes(owner_client)
    # then no page lists them: each weighs what it weighed (give or take a few bytes), far under 500 KB
    for page, size in many.items():
        assert size < LIMIT, (page, size)
        assert size - few[page] < 2_000, (page, few[page], size)
    # and the lookup answers a page of suggestions, not every row
    lookup = owner_client.get(reverse("web:lookup", args=["customers"]), {"q": "Client"}).json()
    assert 0 < len(lookup["results"]) <= 20

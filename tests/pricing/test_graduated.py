"""Graduated tiers of a price list: set from the price list page and the API, applied to document lines with
the bands named on the line, kept when the editor sends the line back."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facturier.invoicing.services import LineData, document_create, document_update
from facturier.invoicing.services.drafts import lines_of
from facturier.pricing import services
from facturier.pricing.models import PriceListItem
from tests.api.conftest import ALL_SCOPES, ApiClient, make_key

pytestmark = pytest.mark.django_db
MID_2026 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def graduated_list(entity, customer, product, owner):
    """Martin pays 800 a day for the first 10 days, 700 for the next ones (graduated), through 2026."""
    price_list = services.price_list_save(entity=entity, by=owner, name="Martin 2026", customer=customer,
                                          valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31))  # fmt: skip
    for quantity, price in ((0, "800"), (10, "700")):
        services.price_list_item_set(price_list=price_list, by=owner, product=product, unit_price=Decimal(price),
                                     min_quantity=Decimal(quantity), graduated=True)  # fmt: skip
    return price_list


def test_a_line_is_priced_band_by_band_and_says_which_bands_applied(entity, customer, product, owner,
                                                                     graduated_list):  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        # when an invoice line of 15 days names the product
        document = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                   lines=[LineData(product=product, quantity=Decimal(15))])  # fmt: skip
        # then 10 days at 800 and 5 at 700, named on the line in the document's language
        line = document.lines.get()
        assert line.net_amount == Decimal("11500.00")
        assert document.tax_exclusive == Decimal("11500.00")
        assert line.price_source == "price_list"
        assert line.price_rule == "Liste de prix Martin 2026, par paliers : 10 × 800,00 + 5 × 700,00"
        # and a line within the first band is priced as before
        small = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                lines=[LineData(product=product, quantity=Decimal(4))])  # fmt: skip
        assert (small.lines.get().unit_price, small.lines.get().price_rule) == (
            Decimal(800),
            "Liste de prix Martin 2026",
        )
        # and when the line is sent back as the editor does (price and all), it keeps its rule
        document = document_update(document=document, by=owner, lines=[
            LineData(product=product, quantity=Decimal(15), unit_price=line.unit_price, description=line.description)
        ])  # fmt: skip
        assert document.lines.get().price_rule == line.price_rule
        assert document.tax_exclusive == Decimal("11500.00")
        # and a copied line (a credit note, a conversion) keeps what it recorded
        assert lines_of(document)[0].price_rule == line.price_rule


def test_the_same_breaks_as_volume_price_every_unit_at_the_break_reached(entity, customer, product, owner,
                                                                          graduated_list):  # fmt: skip
    for item in PriceListItem.objects.filter(price_list=graduated_list):
        services.price_list_item_set(price_list=graduated_list, by=owner, product=product,
                                     unit_price=item.unit_price, min_quantity=item.min_quantity)  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        document = document_create(entity=entity, kind="invoice", customer=customer, by=owner,
                                   lines=[LineData(product=product, quantity=Decimal(15))])  # fmt: skip
    assert document.tax_exclusive == Decimal("10500.00")
    assert document.lines.get().price_rule == "Liste de prix Martin 2026 (≥ 10)"


def test_the_api_sets_and_reads_graduated_breaks_and_shows_the_bands_on_the_line(entity, customer, product):
    key, secret = make_key(entity, ALL_SCOPES)
    api = ApiClient(secret, key)
    created = api.post("/api/v1/price-lists", {
        "name": "Martin 2026", "customer": str(customer.pk),
        "items": [{"product": str(product.pk), "unit_price": "800", "graduated": True},
                  {"product": str(product.pk), "min_quantity": "10", "unit_price": "700", "graduated": True}],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    assert [item["graduated"] for item in created.json()["items"]] == [True, True]
    refused = api.post("/api/v1/price-lists", {"name": "X", "customer": str(customer.pk), "items": [
        {"product": str(product.pk), "unit_price": "1", "graduated": "yes"}]})  # fmt: skip
    assert refused.status_code == 422
    invoice = api.post("/api/v1/invoices", {"customer": str(customer.pk), "language": "en",
                                            "lines": [{"product": str(product.pk), "quantity": "12"}]})  # fmt: skip
    assert invoice.status_code == 201, invoice.content
    line = invoice.json()["lines"][0]
    assert line["price_rule"] == "Price list Martin 2026, graduated: 10 × 800.00 + 2 × 700.00"
    assert line["net_amount"] == "9400.00"


def test_the_price_list_page_sets_a_graduated_break(client, owner, entity, customer, product, graduated_list):
    client.force_login(owner)
    url = reverse("web:pricing-price-list", args=[graduated_list.pk])
    page = client.get(url).content.decode()
    assert 'name="graduated"' in page
    assert "par paliers" in page
    response = client.post(
        url, {"product": product.pk, "min_quantity": "50", "unit_price": "650", "graduated": "on"}
    )
    assert response.status_code == 302
    assert PriceListItem.objects.get(price_list=graduated_list, min_quantity=50).graduated
    client.post(url, {"product": product.pk, "min_quantity": "50", "unit_price": "650"})
    assert not PriceListItem.objects.get(price_list=graduated_list, min_quantity=50).graduated

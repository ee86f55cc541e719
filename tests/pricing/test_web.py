"""The pricing pages (/pricing/), reached from the products page, and the rule shown on a document's lines."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facturier.invoicing.models import Document
from facturier.invoicing.services import LineData, document_create
from facturier.pricing.models import PriceListItem, Promotion

MID_2026 = dt.datetime(2026, 6, 15, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


@pytest.mark.django_db
def test_the_products_page_links_to_the_pricing_rules(owner_client, segment_list):
    products = owner_client.get(reverse("web:product-list")).content.decode()
    assert reverse("web:pricing") in products

    page = owner_client.get(reverse("web:pricing")).content.decode()
    assert "Grossistes 2026" in page
    assert reverse("web:pricing-price-list", args=[segment_list.pk]) in page


@pytest.mark.django_db
def test_a_promotion_is_created_from_its_form_and_a_bad_period_is_explained(owner_client, entity):
    url = reverse("web:pricing-new", kwargs={"rule": "promotion"})
    fields = {"name": "Été", "code": "ETE", "percent": "10", "valid_from": "2026-07-01", "is_active": "on"}

    refused = owner_client.post(url, {**fields, "valid_until": "2026-06-01"})
    saved = owner_client.post(url, {**fields, "valid_until": "2026-08-31"})

    assert refused.status_code == 200
    assert "La fin de validité précède son début." in refused.content.decode()
    assert saved.status_code == 302
    assert Promotion.objects.get(entity=entity).valid_until == dt.date(2026, 8, 31)


@pytest.mark.django_db
def test_a_price_is_set_and_removed_on_the_price_list_page(owner_client, segment_list, product):
    url = reverse("web:pricing-price-list", args=[segment_list.pk])

    owner_client.post(url, {"product": product.pk, "min_quantity": "50", "unit_price": "700"})
    item = PriceListItem.objects.get(price_list=segment_list, min_quantity=50)
    assert "700" in owner_client.get(url).content.decode()
    owner_client.post(reverse("web:pricing-price-list-item-delete", args=[segment_list.pk, item.pk]))

    assert not PriceListItem.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_another_companys_price_list_is_not_found(client, outsider, segment_list):
    client.force_login(outsider)

    assert client.get(reverse("web:pricing-price-list", args=[segment_list.pk])).status_code == 404
    assert (
        client.get(
            reverse("web:pricing-edit", kwargs={"rule": "price-list", "pk": segment_list.pk})
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_the_document_page_names_the_rule_of_each_line(owner_client, entity, customer, product, owner,
                                                       segment_list):  # fmt: skip
    with time_machine.travel(MID_2026, tick=False):
        document = document_create(entity=entity, kind="invoice", customer=customer, by=owner, lines=[
            LineData(product=product, quantity=Decimal(10)),
            LineData(product=product, unit_price=Decimal("999")),
        ])  # fmt: skip

    page = owner_client.get(reverse("web:document-detail", args=[document.pk])).content.decode()

    assert "Liste de prix Grossistes 2026 (≥ 10)" in page
    assert "prix saisi à la main" in page


@pytest.mark.django_db
def test_the_editor_takes_a_promotion_code(owner_client, entity, customer, product):
    Promotion.objects.create(entity=entity, name="Bienvenue", code="BIENVENUE", percent=Decimal(10),
                             valid_from=dt.date(2026, 6, 1), valid_until=dt.date(2026, 6, 30))  # fmt: skip
    page = owner_client.get(reverse("web:document-create", kwargs={"slug": "invoices"})).content.decode()
    assert 'name="promotion_code"' in page


def editor_post(customer, product, **header):
    return {
        "customer": str(customer.pk), "currency": "EUR", "payment_terms": "net30", "type_code": "380",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk), "lines-0-quantity": "1", **header,
    }  # fmt: skip


@pytest.mark.django_db
def test_the_editor_applies_a_promotion_code_and_explains_a_bad_one(owner_client, entity, customer, product):
    Promotion.objects.create(entity=entity, name="Bienvenue", code="BIENVENUE", percent=Decimal(10),
                             valid_from=dt.date(2026, 6, 1), valid_until=dt.date(2026, 6, 30))  # fmt: skip
    url = reverse("web:document-create", kwargs={"slug": "invoices"})
    with time_machine.travel(MID_2026, tick=False):
        refused = owner_client.post(url, editor_post(customer, product, promotion_code="NOPE"))
        totals = owner_client.post(reverse("web:document-totals"),
                                   editor_post(customer, product, promotion_code="bienvenue", kind="invoice")).json()  # fmt: skip
        saved = owner_client.post(url, editor_post(customer, product, promotion_code="bienvenue"))

    assert refused.status_code == 200
    assert "Code promotionnel « NOPE » inconnu." in refused.content.decode()
    assert totals["tax_exclusive"] == "765.00"  # the live totals price as saving does: 850 less 10 %
    assert totals["rules"] == {"lines-0": "Promotion Bienvenue"}  # and name the rule under the line
    assert saved.status_code == 302
    line = Document.objects.get(entity=entity).lines.get()
    assert (line.unit_price, line.discount_percent, line.discount_rule) == (Decimal(850), Decimal(10),
                                                                           "Promotion Bienvenue")  # fmt: skip

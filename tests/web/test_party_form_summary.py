"""The customer and product forms summarise a failed save as the invoice editor does: an alert at the top
that takes the focus, says how many problems there are and links each one to its field."""

import pytest
from django.urls import reverse
from lxml import html

from facturier.catalog.models import Product
from facturier.parties.models import Customer
from tests.web.test_form_accessibility import dangling_references


def parse(response):
    return html.fromstring(response.content.decode())


def summary_links(page) -> dict[str, str]:
    summary = page.get_element_by_id("error-summary")
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"
    assert summary.get("autofocus") is not None  # the focus goes to it, not to the first field
    assert page.xpath("//*[@autofocus]") == [summary]
    return {link.get("href"): " ".join(link.text_content().split()) for link in summary.xpath(".//a")}


@pytest.mark.parametrize("url", ["web:customer-create", "web:product-create"])
def test_a_new_form_shows_no_summary_before_it_is_saved(owner_client, entity, url):
    page = parse(owner_client.get(reverse(url)))
    assert page.xpath("//*[@id='error-summary']") == []


def test_a_customer_saved_without_a_name_is_summarised_with_a_link_to_the_field(owner_client, entity):
    # when a new customer is saved with nothing typed
    response = owner_client.post(reverse("web:customer-create"), {"payment_terms": "30"})
    # then nothing is saved and the summary says why, with a link to each field in error
    assert response.status_code == 200
    assert not Customer.objects.filter(entity=entity).exists()
    page = parse(response)
    links = summary_links(page)
    assert "#id_name" in links
    assert links["#id_name"].startswith("Nom : ")
    heading = page.get_element_by_id("error-summary-title").text_content()
    assert f"{len(links)} problème" in heading
    # and every link leads to a field that is marked invalid
    for href in links:
        assert page.get_element_by_id(href[1:]).get("aria-invalid") == "true"
    assert dangling_references(page) == []


def test_a_customer_refused_by_the_service_is_summarised_too(owner_client, entity, customer):
    # given a second customer whose code is changed to the first one's
    other = Customer.objects.create(
        entity=entity,
        code="C002",
        name="Épicerie Durand",
        country="FR",
        address_line1="8 rue Neuve",
        postcode="75011",
        city="Paris",
    )
    url = reverse("web:customer-edit", kwargs={"pk": other.pk})
    data = dict(parse(owner_client.get(url)).get_element_by_id("customer-form").form_values())
    data["code"] = customer.code
    # when it is saved
    response = owner_client.post(url, data)
    # then it is refused, and the summary at the top links the code
    assert response.status_code == 200
    other.refresh_from_db()
    assert other.code == "C002"
    links = summary_links(parse(response))
    assert list(links) == ["#id_code"]


def test_a_product_with_a_price_that_is_no_number_is_summarised_in_english(owner_client, entity, product):
    owner_client.cookies["django_language"] = "en"
    url = reverse("web:product-edit", kwargs={"pk": product.pk})
    data = dict(parse(owner_client.get(url)).get_element_by_id("product-form").form_values())
    data["unit_price"] = "cher"
    # when it is saved
    response = owner_client.post(url, data)
    # then the price is unchanged and the summary links the price field
    assert response.status_code == 200
    product.refresh_from_db()
    assert str(product.unit_price) == "850.000000"
    page = parse(response)
    links = summary_links(page)
    assert list(links) == ["#id_unit_price"]
    assert links["#id_unit_price"].startswith("Unit price (excl. VAT): ")
    assert "Not saved: 1 problem to correct" in page.get_element_by_id("error-summary-title").text_content()
    assert not Product.objects.exclude(pk=product.pk).exists()

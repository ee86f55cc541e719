"""Choosing a customer or a product in the editor is a search: part of a name, a code or a SIREN
gives suggestions, from the company one works in only."""

from decimal import Decimal

from django.urls import reverse

from facturier.catalog.models import Product
from facturier.invoicing.models import Document
from facturier.parties.models import Customer
from tests.conftest import make_entity


def suggestions(client, source, q):
    response = client.get(reverse("web:lookup", args=[source]), {"q": q})
    assert response.status_code == 200
    return [item["label"] for item in response.json()["results"]]


def test_customers_are_found_by_part_of_their_name_code_or_siren(owner_client, entity, customer):
    # given a second customer
    Customer.objects.create(entity=entity, code="C002", name="Garage Petit", address_line1="1 rue",
                            postcode="75001", city="Paris", payment_terms="45eom")  # fmt: skip
    # then each way of naming them finds them
    assert suggestions(owner_client, "customers", "boulang") == ["Boulangerie Martin SARL"]
    assert suggestions(owner_client, "customers", "C002") == ["Garage Petit"]
    assert suggestions(owner_client, "customers", "443061") == ["Boulangerie Martin SARL"]
    assert suggestions(owner_client, "customers", "") == ["Boulangerie Martin SARL", "Garage Petit"]
    assert suggestions(owner_client, "customers", "zzz") == []


def test_a_customer_suggestion_carries_the_customers_terms(owner_client, entity):
    Customer.objects.create(entity=entity, code="US1", name="Acme Inc.", address_line1="1", postcode="1",
                            city="New York", country="US", currency="USD", language="en",
                            payment_terms="net20")  # fmt: skip
    found = owner_client.get(reverse("web:lookup", args=["customers"]), {"q": "acme"}).json()["results"][0]
    assert found["fill"] == {"currency": "USD", "language": "en", "payment_terms": "net20"}
    assert found["choices"]["payment_terms"] == ["net20", "20 jours net"]  # not a preset: its words
    assert "US1" in found["detail"]


def test_products_are_found_by_reference_or_name_with_their_price_in_french(owner_client, entity, product):
    Product.objects.create(entity=entity, sku="MACH-1", name="Machine à pain", unit="C62",
                           unit_price=Decimal("4200.50"), vat_rate=Decimal("5.50"))  # fmt: skip
    assert suggestions(owner_client, "products", "conseil") == ["CONSEIL-J — Journée de conseil"]
    found = owner_client.get(reverse("web:lookup", args=["products"]), {"q": "mach"}).json()["results"][0]
    assert found["fill"] == {
        "description": "Machine à pain", "unit_price": "4\u202f200,5", "unit": "C62", "vat_rate": "5,5",
    }  # fmt: skip


def test_an_outsider_finds_nothing_of_another_company(outsider_client, customer, product):
    # given the outsider works in another company
    # when they search for our customer and product
    # then nothing is found
    assert suggestions(outsider_client, "customers", "boulang") == []
    assert suggestions(outsider_client, "customers", "") == []
    assert suggestions(outsider_client, "products", "") == []


def test_inactive_customers_are_not_suggested(owner_client, customer):
    customer.is_active = False
    customer.save()
    assert suggestions(owner_client, "customers", "boulang") == []


def test_unknown_sources_are_not_found(owner_client):
    assert owner_client.get(reverse("web:lookup", args=["suppliers"])).status_code == 404


def test_signed_out_visitors_are_sent_to_the_sign_in_page(client, customer):
    response = client.get(reverse("web:lookup", args=["customers"]), {"q": "b"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def editor_post(client, customer_field, **line):
    data = {
        "type_code": "380", **customer_field,
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-quantity": "1", **{f"lines-0-{k}": v for k, v in line.items()},
    }  # fmt: skip
    return client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)


def test_without_javascript_a_customer_and_product_named_exactly_are_chosen(owner_client, entity, customer,
                                                                            product):  # fmt: skip
    # when the search boxes are posted with a code and a reference but no id (no JavaScript ran)
    response = editor_post(owner_client, {"customer__search": "c001"}, product__search="CONSEIL-J")
    # then they name one customer and one product, which are used
    assert response.status_code == 302
    line = Document.objects.get(entity=entity).lines.get()
    assert (line.document.customer, line.product) == (customer, product)


def test_a_search_text_naming_no_one_is_a_clear_error(owner_client, customer):
    response = editor_post(owner_client, {"customer__search": "Inconnu"}, description="x", unit_price="1")
    assert response.status_code == 200
    assert response.context["editor"].header.errors["customer"] == [
        "Rien ne correspond à « Inconnu » : tapez une partie du nom et choisissez une suggestion."
    ]
    assert not Document.objects.exists()


def test_another_companys_customer_is_not_found_by_its_code_either(owner_client, customer):
    other = make_entity(name="Ailleurs SA", siren="732829320")
    Customer.objects.create(
        entity=other, code="X1", name="Étranger", address_line1="1", postcode="1", city="x"
    )
    response = editor_post(owner_client, {"customer__search": "X1"}, description="x", unit_price="1")
    assert "customer" in response.context["editor"].header.errors
    assert not Document.objects.exists()


def test_the_editor_shows_the_chosen_customer_and_product_by_name(owner_client, draft_invoice):
    page = owner_client.get(reverse("web:document-edit", kwargs={"pk": draft_invoice.pk})).content.decode()
    assert f'name="customer" value="{draft_invoice.customer_id}"' in page
    assert 'name="customer__search" value="Boulangerie Martin SARL"' in page
    assert 'name="lines-0-product__search" value="CONSEIL-J — Journée de conseil"' in page
    assert 'role="combobox"' in page

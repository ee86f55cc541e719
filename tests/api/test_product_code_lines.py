"""Document lines name their product by id (`product`) or by its reference (`product_code`)."""

from decimal import Decimal

from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.invoicing.models import Document
from tests.api.conftest import assert_problem


def _lines(*lines):
    return [{"description": "Frais", "quantity": "1", "unit_price": "10.00"}, *lines]


def test_a_line_given_by_product_code_takes_the_products_price_unit_and_vat(api, customer, product):
    # when an invoice is created with a line naming the product by its reference
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                             "lines": [{"product_code": "CONSEIL-J", "quantity": "2"}]})  # fmt: skip
    # then the line is the product's, as if it had been given by id
    assert response.status_code == 201, response.content
    line = response.json()["lines"][0]
    assert line["product"] == str(product.pk)
    assert (line["unit_price"], line["unit"], line["vat_rate"]) == ("850.000000", "DAY", "20.00")
    assert line["description"] == "Journée de conseil"


def test_a_product_code_works_on_quotes_and_on_draft_updates(api, customer, product):
    quote = api.post(
        "/api/v1/quotes", {"customer": str(customer.pk), "lines": [{"product_code": "CONSEIL-J"}]}
    )
    assert quote.status_code == 201, quote.content
    updated = api.patch(f"/api/v1/quotes/{quote.json()['id']}",
                        {"lines": [{"product_code": "CONSEIL-J", "quantity": "5"}]})  # fmt: skip
    assert updated.status_code == 200, updated.content
    assert Decimal(updated.json()["lines"][0]["quantity"]) == 5


def test_an_unknown_product_code_is_a_422_naming_the_line_and_field(api, customer, product):
    # when the third line names a reference the catalogue does not have
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                             "lines": _lines({"product_code": "CONSEIL-J"}, {"product_code": "NOPE"})})  # fmt: skip
    # then the error names that line's product_code and nothing is created
    assert_problem(response, 422, "unknown_product", field="lines[2].product_code")
    assert not Document.objects.exists()


def test_another_companys_product_code_is_unknown(api, entity, customer, product):
    # given a product that exists only in the other company
    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    Product.objects.create(entity=other, sku="SECRET-X", name="Produit de l'autre", unit_price=Decimal("1"))
    # when this company's key uses its reference
    response = api.post(
        "/api/v1/invoices", {"customer": str(customer.pk), "lines": [{"product_code": "SECRET-X"}]}
    )
    # then it is as unknown as a reference that does not exist
    body = assert_problem(response, 422, "unknown_product", field="lines[0].product_code")
    assert "SECRET" not in body["detail"]


def test_a_line_cannot_name_its_product_twice(api, customer, product):
    response = api.post("/api/v1/invoices", {"customer": str(customer.pk),
                                             "lines": [{"product": str(product.pk), "product_code": "CONSEIL-J"}]})  # fmt: skip
    assert_problem(response, 422, "product_twice", field="lines[0].product_code")


def test_the_openapi_schema_documents_product_code_on_lines(api):
    schema = api.get("/api/v1/openapi.json").json()
    line = schema["components"]["schemas"]["LineIn"]["properties"]
    assert {"product", "product_code"} <= set(line)
    assert "reference" in line["product_code"]["description"]

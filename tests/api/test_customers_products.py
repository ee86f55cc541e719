from decimal import Decimal

from facturier.audit.models import AuditEvent
from facturier.catalog.models import Product
from facturier.parties.models import Contact, Customer
from tests.api.conftest import ApiClient, assert_problem


def test_a_customer_is_created_read_and_updated_through_the_api(api):
    # when an integrator creates a customer with spaced identifiers
    created = api.post("/api/v1/customers", {
        "code": "C300", "name": "Vins de Bordeaux SA", "address_line1": "1 quai", "postcode": "33000",
        "city": "Bordeaux", "siret": "443 061 841 00013", "vat_number": "FR64 443061841", "payment_terms": "45eom",
    })  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    # then it is stored normalized and readable by id
    assert (body["siren"], body["siret"], body["vat_number"]) == (
        "443061841",
        "44306184100013",
        "FR64443061841",
    )
    assert api.get(f"/api/v1/customers/{body['id']}").json() == body
    # and a partial update changes only what was sent
    updated = api.patch(f"/api/v1/customers/{body['id']}", {"city": "Mérignac", "currency": "usd"}).json()
    assert (updated["city"], updated["currency"], updated["name"]) == (
        "Mérignac",
        "USD",
        "Vins de Bordeaux SA",
    )
    assert Customer.objects.get(code="C300").city == "Mérignac"
    event = AuditEvent.objects.get(action="customer.updated")
    assert event.actor_label == f"apikey:{api.key.prefix}"


def test_customer_contacts_are_managed_under_the_customer(api, customer):
    url = f"/api/v1/customers/{customer.pk}/contacts"
    created = api.post(url, {"name": "Marie Martin", "email": "marie@martin.example"})
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    assert api.patch(f"{url}/{contact_id}", {"is_billing_contact": True}).json()["is_billing_contact"] is True
    assert [c["name"] for c in api.get(url).json()] == ["Marie Martin"]
    assert_problem(api.post(url, {"name": "X", "email": "nope"}), 422, "invalid", field="email")
    assert api.delete(f"{url}/{contact_id}").status_code == 204
    assert not Contact.objects.exists()
    assert_problem(api.delete(f"{url}/{contact_id}"), 404, "contact_not_found")


def test_a_product_is_created_and_its_price_updated_through_the_api(api):
    created = api.post("/api/v1/products", {"sku": "HOST", "name": "Hébergement", "unit": "MON",
                                            "unit_price": "19.99", "vat_rate": "20"})  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["unit_price"], body["vat_rate"], body["unit"]) == ("19.990000", "20.00", "MON")
    updated = api.patch(f"/api/v1/products/{body['id']}", {"unit_price": "21.5"}).json()
    assert updated["unit_price"] == "21.500000"
    assert Product.objects.get(sku="HOST").unit_price == Decimal("21.5")
    assert_problem(
        api.patch(f"/api/v1/products/{body['id']}", {"unit": "XYZ"}), 422, "invalid_unit", field="unit"
    )


def test_product_list_filters_and_pages(api, entity):
    for index in range(7):
        Product.objects.create(entity=entity, sku=f"S{index}", name=f"Service {index}", unit_price=Decimal("1"),
                               vat_category="S" if index % 2 else "Z", vat_rate=Decimal("20") if index % 2 else 0)  # fmt: skip
    page = api.get("/api/v1/products", {"vat_category": "S", "limit": 2}).json()
    skus = [item["sku"] for item in page["items"]]
    while page["next"]:
        page = api.get(page["next"]).json()
        skus += [item["sku"] for item in page["items"]]
    assert sorted(skus) == ["S1", "S3", "S5"]


def test_a_401_names_the_bearer_scheme(customer):
    response = ApiClient(None).get("/api/v1/customers")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_overlong_idempotency_key_is_refused(api):
    body = {"sku": "K", "name": "K", "unit_price": "1"}
    response = api.post("/api/v1/products", body, headers={"Idempotency-Key": "k" * 256})
    assert_problem(response, 422, "invalid_idempotency_key", field="Idempotency-Key")
    assert not Product.objects.filter(sku="K").exists()


def test_suppliers_are_listed_and_corrected_under_the_inbox_scope(entity, api):
    from facturier.parties.models import Supplier
    from tests.api.conftest import make_key

    supplier = Supplier.objects.create(entity=entity, name="Imprimerie Rapide", siren="732829320")
    assert [s["name"] for s in api.get("/api/v1/suppliers").json()["items"]] == ["Imprimerie Rapide"]
    updated = api.patch(f"/api/v1/suppliers/{supplier.pk}", {"iban": "FR76 3000 6000 0112 3456 7890 189"})
    assert updated.json()["iban"] == "FR7630006000011234567890189"
    _key, reader = make_key(entity, ["inbox:read"])
    assert_problem(ApiClient(reader).patch(f"/api/v1/suppliers/{supplier.pk}", {"name": "X"}), 403,
                   "insufficient_scope")  # fmt: skip

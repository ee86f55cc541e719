"""The customer's payment terms, currency and language in every path that makes a document: the
editor (create, change of customer, live preview), the API, conversions and credit notes.

A due date is a legal date: the same invoice made in the editor or through the API must be the same
document to the last field. Today is pinned (16 December 2026) so the due dates are known.
"""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.urls import reverse

from facturier.catalog.models import Product
from facturier.invoicing.models import Document, Kind
from facturier.invoicing.services import (
    LineData,
    credit_note_create,
    document_convert,
    document_create,
    invoice_issue,
)
from facturier.invoicing.to_en16931 import document_to_en16931
from facturier.parties.models import Customer
from tests.api.conftest import ALL_SCOPES, ApiClient, make_key

TODAY = dt.datetime(2026, 12, 16, 9, 30, tzinfo=dt.UTC)  # 10:30 in Paris, the entity's time zone


@pytest.fixture(autouse=True)
def pinned_today():
    with time_machine.travel(TODAY, tick=False):
        yield


def make_customer(entity, code, **values):
    defaults = {"name": f"Client {code}", "address_line1": "3 place du Marché", "postcode": "69002",
                "city": "Lyon", "email": f"{code.lower()}@example.fr"}  # fmt: skip
    return Customer.objects.create(entity=entity, code=code, **{**defaults, **values})


@pytest.fixture
def api(entity):
    key, secret = make_key(entity, ALL_SCOPES)
    return ApiClient(secret, key)


@pytest.fixture
def customer_45eom(entity):
    return make_customer(entity, "C45", name="Menuiserie Fin de Mois SARL", siren="732829320",
                         payment_terms="45eom")  # fmt: skip


@pytest.fixture
def machine(entity):
    """Goods: exported outside the EU they are category G (services would be O, out of scope)."""
    return Product.objects.create(
        entity=entity, sku="MACH-1", name="Machine à pain", unit="C62", unit_price=Decimal("4200.00"),
        vat_category="S", vat_rate=Decimal("20.00"), accounting_category="goods",
    )  # fmt: skip


@pytest.fixture
def customer_usd(entity):
    return make_customer(entity, "US1", name="Acme Inc.", country="US", postcode="10001", city="New York",
                         currency="USD", language="en", payment_terms="net60", vat_regime="export",
                         electronic_address_scheme="0060", electronic_address="123456789")  # fmt: skip


def create_in_editor(client, customer, product, *, fill_from_picker):
    """Post the editor as the browser does; with `fill_from_picker`, the header carries what the
    customer picker filled in (its suggestion's values), else it is left empty (no JavaScript)."""
    header = {"currency": "", "language": "", "payment_terms": ""}
    if fill_from_picker:
        found = client.get(reverse("web:lookup", args=["customers"]), {"q": customer.code}).json()["results"]
        header = found[0]["fill"]
    data = {
        "customer": str(customer.pk), "type_code": "380", "exchange_rate": "",
        "buyer_reference": "SERVICE-ACHATS", "purchase_order_reference": "PO-2026-17",
        "delivery_date": "2026-12-10", "note": "Chantier de Lyon",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk), "lines-0-quantity": "2,5", "lines-0-discount_percent": "10",
        "lines-1-product": str(product.pk), "lines-1-description": "Fournitures", "lines-1-quantity": "1", "lines-1-unit": "C62",
        "lines-1-unit_price": "1 234,56", "lines-1-vat_rate": "5,5",
        "ac-TOTAL_FORMS": "2", "ac-INITIAL_FORMS": "0",
        "ac-0-is_charge": "0", "ac-0-reason": "Fidélité", "ac-0-percent": "5", "ac-0-vat_rate": "20",
        "ac-1-is_charge": "1", "ac-1-reason": "Port", "ac-1-amount": "15", "ac-1-vat_rate": "20",
        **header,
    }  # fmt: skip
    if customer.currency != "EUR":
        data["exchange_rate"] = "1,0856"
    response = client.post(reverse("web:document-create", kwargs={"slug": "invoices"}), data)
    assert response.status_code == 302, response.context["editor"].header.errors
    document = Document.objects.get(pk=response["Location"].strip("/").split("/")[-1])
    issued = client.post(reverse("web:document-action", kwargs={"pk": document.pk, "action": "issue"}))
    assert issued.status_code == 302
    document.refresh_from_db()
    assert document.number, "the editor's invoice was not issued"
    return document


def create_through_api(api, customer, product):
    body = {
        "customer": str(customer.pk), "buyer_reference": "SERVICE-ACHATS",
        "purchase_order_reference": "PO-2026-17", "delivery_date": "2026-12-10", "note": "Chantier de Lyon",
        "lines": [
            {"product": str(product.pk), "quantity": "2.5", "discount_percent": "10"},
            {"product": str(product.pk), "description": "Fournitures", "quantity": "1", "unit": "C62", "unit_price": "1234.56",
             "vat_rate": "5.5"},
        ],
        "allowances_charges": [
            {"reason": "Fidélité", "percent": "5", "vat_rate": "20"},
            {"reason": "Port", "amount": "15", "is_charge": True, "vat_rate": "20"},
        ],
    }  # fmt: skip
    if customer.currency != "EUR":
        body["exchange_rate"] = "1.0856"
    created = api.post("/api/v1/invoices", body)
    assert created.status_code == 201, created.content
    issued = api.post(f"/api/v1/invoices/{created.json()['id']}/issue")
    assert issued.status_code == 200, issued.content
    return Document.objects.get(pk=created.json()["id"])


# unique by design, or naming who made it (a user in the editor, a key through the API)
NOT_COMPARED = {"id", "number", "seal_position", "seal_previous_hash", "seal_hash", "created_by", "created_by_key",
                "submitted_by", "submitted_by_key", "approved_by", "approved_by_key"}  # fmt: skip


def comparable(document: Document) -> dict:
    """Every field of the document, its lines, allowances/charges and its EN 16931 form (notes and
    legal mentions, VAT exemption reasons, payment terms text), less what is unique to each one."""
    fields = {f.name: getattr(document, f.attname) for f in Document._meta.concrete_fields}
    lines = [{k: v for k, v in model_to_dict(line).items() if k not in ("id", "document")}
             for line in document.lines.order_by("position")]  # fmt: skip
    acs = [{k: v for k, v in model_to_dict(ac).items() if k not in ("id", "document")}
           for ac in document.allowances_charges.order_by("pk")]  # fmt: skip
    einvoice = repr(dataclasses.asdict(document_to_en16931(document))).replace(document.number, "<number>")
    return {
        "document": {k: v for k, v in fields.items() if k not in NOT_COMPARED},
        "lines": lines,
        "allowances_charges": sorted(acs, key=repr),
        "einvoice": einvoice,
    }


@pytest.mark.parametrize("fill_from_picker", [True, False], ids=["picker-filled", "left-empty"])
@pytest.mark.parametrize(("which", "sold"), [("customer_45eom", "product"), ("customer_usd", "machine")])
def test_an_invoice_made_in_the_editor_equals_the_same_invoice_made_through_the_api(
    request, owner_client, api, which, sold, fill_from_picker
):
    # given a customer on 45 days end of month, or one billed in US dollars in English (export)
    customer, product = request.getfixturevalue(which), request.getfixturevalue(sold)
    # when the same invoice is made and issued in the editor and through the API
    from_editor = create_in_editor(owner_client, customer, product, fill_from_picker=fill_from_picker)
    from_api = create_through_api(api, customer, product)
    # then they are the same document in every field but their number and seal
    editor_view, api_view = comparable(from_editor), comparable(from_api)
    assert editor_view["lines"] == api_view["lines"]
    assert editor_view["allowances_charges"] == api_view["allowances_charges"]
    assert editor_view["document"] == api_view["document"]
    assert editor_view["einvoice"] == api_view["einvoice"]
    # and the header is the customer's
    assert (from_editor.currency, from_editor.language, from_editor.payment_terms) == (
        customer.currency, customer.language, customer.payment_terms,
    )  # fmt: skip
    assert from_editor.issue_date == dt.date(2026, 12, 16)


def test_45_days_end_of_month_from_16_december_is_due_on_31_january(owner_client, customer_45eom, product):
    # given the 45-days-end-of-month customer (+45 days = 30 January, then the end of that month)
    # when an invoice is made in the editor on 16 December 2026 and issued
    invoice = create_in_editor(owner_client, customer_45eom, product, fill_from_picker=False)
    # then it is due on 31 January 2027, not 30 days later (15 January)
    assert invoice.payment_terms == "45eom"
    assert invoice.due_date == dt.date(2027, 1, 31)


def test_live_preview_shows_the_due_date_the_invoice_will_get(owner_client, customer_45eom, product):
    # given the editor with the 45-days-end-of-month customer chosen, terms left to the customer
    data = {
        "kind": "invoice", "customer": str(customer_45eom.pk), "currency": "", "payment_terms": "",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk), "lines-0-quantity": "1",
    }  # fmt: skip
    # when the live totals are asked for
    body = owner_client.post(reverse("web:document-totals"), data).json()
    # then the due date is the one issuing today gives, with the terms in words
    assert body["ok"], body
    assert body["due_date"] == "31/01/2027"
    assert body["payment_terms"] == "45 jours fin de mois"
    # and terms chosen in the editor win over the customer's
    body = owner_client.post(reverse("web:document-totals"), {**data, "payment_terms": "net30"}).json()
    assert body["due_date"] == "15/01/2027"


def test_changing_the_customer_of_a_draft_in_the_editor_brings_the_new_customers_terms(
    owner_client, entity, customer, customer_usd, owner, product
):
    # given a draft for a French customer on 30 days, in euros and French
    draft = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                            lines=[LineData(product=product)])  # fmt: skip
    url = reverse("web:document-edit", kwargs={"pk": draft.pk})
    data = {
        "customer": str(customer_usd.pk), "type_code": "380", "exchange_rate": "1,08",
        "currency": draft.currency, "language": draft.language, "payment_terms": draft.payment_terms,
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk), "lines-0-quantity": "1",
    }  # fmt: skip
    # when only the customer is changed (the rest posted as it was)
    response = owner_client.post(url, data)
    # then the draft takes the new customer's currency, language and terms
    assert response.status_code == 302, response.context["editor"].header.errors
    draft.refresh_from_db()
    assert (draft.customer, draft.currency, draft.language, draft.payment_terms) == (
        customer_usd, "USD", "en", "net60",
    )  # fmt: skip
    assert draft.exchange_rate == Decimal("1.08")


def test_terms_chosen_while_changing_the_customer_are_kept(owner_client, entity, customer, customer_45eom,
                                                           owner, product):  # fmt: skip
    draft = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                            lines=[LineData(product=product)])  # fmt: skip
    data = {
        "customer": str(customer_45eom.pk), "type_code": "380", "currency": "EUR", "language": "fr",
        "payment_terms": "net15",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "ac-TOTAL_FORMS": "0", "ac-INITIAL_FORMS": "0",
        "lines-0-product": str(product.pk), "lines-0-quantity": "1",
    }  # fmt: skip
    response = owner_client.post(reverse("web:document-edit", kwargs={"pk": draft.pk}), data)
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.customer, draft.payment_terms) == (customer_45eom, "net15")


def test_changing_the_customer_through_the_api_brings_the_new_customers_terms(
    api, entity, customer, customer_45eom, owner, product
):
    draft = document_create(entity=entity, kind=Kind.INVOICE, customer=customer, by=owner,
                            lines=[LineData(product=product)])  # fmt: skip
    patched = api.patch(f"/api/v1/invoices/{draft.pk}", {"customer": str(customer_45eom.pk)})
    assert patched.status_code == 200, patched.content
    assert patched.json()["payment_terms"] == "45eom"
    # and terms sent with the change are the ones kept
    patched = api.patch(
        f"/api/v1/invoices/{draft.pk}", {"customer": str(customer.pk), "payment_terms": "net15"}
    )
    assert patched.json()["payment_terms"] == "net15"


def test_a_new_invoice_from_a_customers_page_starts_with_their_terms(owner_client, customer_usd):
    page = owner_client.get(reverse("web:document-create", kwargs={"slug": "invoices"}),
                            {"customer": str(customer_usd.pk)})  # fmt: skip
    header = page.context["editor"].header
    assert (header["currency"].value(), header["language"].value(), header["payment_terms"].value()) == (
        "USD", "en", "net60",
    )  # fmt: skip


def test_quote_to_order_to_invoice_and_its_credit_note_keep_the_customers_terms(
    entity, customer_45eom, owner, product
):
    # given a quote for the 45-days-end-of-month customer
    quote = document_create(entity=entity, kind=Kind.QUOTE, customer=customer_45eom, by=owner,
                            lines=[LineData(product=product)])  # fmt: skip
    # when it becomes an order, then an invoice, which is issued and credited
    order = document_convert(document=quote, to_kind=Kind.ORDER, by=owner)
    invoice = invoice_issue(
        invoice=document_convert(document=order, to_kind=Kind.INVOICE, by=owner), by=owner
    )
    credit_note = credit_note_create(invoice=invoice, by=owner)
    # then every one of them has the customer's terms, and the invoice its legal due date
    assert [d.payment_terms for d in (quote, order, invoice, credit_note)] == ["45eom"] * 4
    assert invoice.due_date == dt.date(2027, 1, 31)
    assert {(d.currency, d.language) for d in (quote, order, invoice, credit_note)} == {("EUR", "fr")}

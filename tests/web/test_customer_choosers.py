"""Forms merged after the editor choose their customer with the same search picker (issue 9): their page
does not grow with the number of customers, and the picker's value (an id, or without JavaScript a code
that names one customer) is what the form reads."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facturier.approvals.models import ApprovalRule
from facturier.billing.models import Contract
from facturier.catalog.models import Product
from facturier.parties.models import Customer
from facturier.payments.models import Payment
from facturier.pricing.models import PriceList, PriceListItem, Promotion, Segment
from facturier.projects.models import Project
from facturier.timesheets.models import RateRule

pytestmark = pytest.mark.django_db

PAGES = [
    ("web:billing-contract-new", {}), ("web:project-create", {}), ("web:time-rates", {}),
    ("web:construction-new", {}), ("web:approval-rules", {}), ("web:pricing-new", {"rule": "price-list"}),
    ("web:pricing-new", {"rule": "promotion"}), ("web:pricing-new", {"rule": "segment"}),
    ("web:payment-create", {}),
]  # fmt: skip
PRODUCT_PAGES = [("web:pricing-new", {"rule": "discount"}), ("web:pricing-new", {"rule": "promotion"})]
MANY = 300


@pytest.mark.parametrize(("page", "kwargs"), PAGES)
def test_the_page_does_not_list_every_customer(owner_client, entity, customer, page, kwargs):
    few = owner_client.get(reverse(page, kwargs=kwargs))
    assert few.status_code == 200
    assert 'data-source="/lookup/customers/"' in few.content.decode()  # the search picker
    Customer.objects.bulk_create(
        Customer(entity=entity, code=f"K{n:05d}", name=f"Client K{n:05d}", city="Paris") for n in range(MANY)
    )
    many = owner_client.get(reverse(page, kwargs=kwargs)).content.decode()
    assert "Client K00150" not in many
    assert "Boulangerie Martin SARL" not in many  # not even the one that was there before
    assert len(many.encode()) - len(few.content) < 500


@pytest.mark.parametrize(("page", "kwargs"), PRODUCT_PAGES)
def test_the_page_does_not_list_every_product(owner_client, entity, product, page, kwargs):
    few = owner_client.get(reverse(page, kwargs=kwargs))
    assert 'data-source="/lookup/products/"' in few.content.decode()
    Product.objects.bulk_create(
        Product(entity=entity, sku=f"P{n:05d}", name=f"Produit {n}", unit_price=Decimal(1))
        for n in range(MANY)
    )
    many = owner_client.get(reverse(page, kwargs=kwargs)).content.decode()
    assert "P00150" not in many
    assert "Journée de conseil" not in many
    assert len(many.encode()) - len(few.content) < 500


def test_the_price_list_page_chooses_its_product_by_search(owner_client, entity, owner, product):
    price_list = PriceList.objects.create(entity=entity, name="Tarif", customer=None)
    url = reverse("web:pricing-price-list", args=[price_list.pk])
    Product.objects.bulk_create(
        Product(entity=entity, sku=f"P{n:05d}", name=f"Produit {n}", unit_price=Decimal(1))
        for n in range(MANY)
    )
    assert "P00150" not in owner_client.get(url).content.decode()
    response = owner_client.post(
        url, {"product__search": "CONSEIL-J", "min_quantity": "1", "unit_price": "700"}
    )
    assert response.status_code == 302
    assert PriceListItem.objects.get(price_list=price_list).product == product


def test_pricing_rules_take_the_picked_customer_and_product(owner_client, entity, customer, product):
    response = owner_client.post(reverse("web:pricing-new", kwargs={"rule": "promotion"}), {
        "name": "Fidélité", "code": "", "percent": "5", "customer": str(customer.pk), "product__search": "conseil-j",
        "valid_from": "2026-01-01", "valid_until": "2026-12-31", "is_active": "on",
    })  # fmt: skip
    assert response.status_code == 302
    promotion = Promotion.objects.get(name="Fidélité")
    assert (promotion.customer, promotion.product) == (customer, product)


def test_a_segment_keeps_its_ticked_members_and_adds_the_picked_one(owner_client, entity, customer):
    other = Customer.objects.create(entity=entity, code="C002", name="Épicerie Durand", city="Lyon")
    third = Customer.objects.create(entity=entity, code="C003", name="Café Leroy", city="Lyon")
    response = owner_client.post(reverse("web:pricing-new", kwargs={"rule": "segment"}),
                                 {"code": "GROS", "name": "Grossistes", "add_customer": str(customer.pk)})  # fmt: skip
    assert response.status_code == 302
    segment = Segment.objects.get(code="GROS")
    assert list(segment.customers.all()) == [customer]
    edit = reverse("web:pricing-edit", kwargs={"rule": "segment", "pk": segment.pk})
    page = owner_client.get(edit).content.decode()
    assert "Boulangerie Martin SARL" in page  # a member, ticked
    assert "Café Leroy" not in page  # not a member: not listed
    response = owner_client.post(edit, {"code": "GROS", "name": "Grossistes", "customers": [str(customer.pk)],
                                        "add_customer__search": "C002"})  # fmt: skip
    assert response.status_code == 302
    assert set(segment.customers.all()) == {customer, other}
    owner_client.post(edit, {"code": "GROS", "name": "Grossistes", "customers": [str(other.pk)]})
    assert set(segment.customers.all()) == {other}
    assert third not in segment.customers.all()


def test_an_approval_rule_names_the_picked_customers(owner_client, entity, customer, approver):
    other = Customer.objects.create(entity=entity, code="C002", name="Épicerie Durand", city="Lyon")
    response = owner_client.post(reverse("web:approval-rule-add"), {
        "name": "clients", "priority": "1", "currency": "EUR", "remind_after_hours": "24",
        "party1": str(customer.pk), "party2__search": "C002", "party3": str(customer.pk),
        "level1_roles": ["approver"], "level1_required": "1",
    })  # fmt: skip
    assert response.status_code == 302
    assert ApprovalRule.objects.get(name="clients").parties == [str(customer.pk), str(other.pk)]
    page = owner_client.get(reverse("web:approval-rules")).content.decode()
    assert "Boulangerie Martin SARL, Épicerie Durand" in page


def _contract_post(customer_value, **extra):
    return {
        "customer": customer_value, "customer__search": "", "reference": "WEB-PICK", "start_date": "2026-03-01",
        "frequency": "monthly", "timing": "advance", "alignment": "calendar", "trial_days": "0",
        "tacit_renewal": "on", "notice_days": "0", "proration_policy": "next_invoice",
        "item0-description": "Abonnement", "item0-pricing_model": "per_unit", "item0-quantity": "1",
        "item0-unit_price": "49", **{f"item{n}-pricing_model": "per_unit" for n in (1, 2)},
        **{f"item{n}-quantity": "1" for n in (1, 2)}, **extra,
    }  # fmt: skip


@time_machine.travel(dt.datetime(2026, 3, 1, 10, tzinfo=dt.UTC), tick=False)
def test_a_billing_contract_takes_the_picked_customer_or_its_typed_code(owner_client, entity, customer):
    other = Customer.objects.create(entity=entity, code="C002", name="Épicerie Durand", city="Lyon")
    response = owner_client.post(reverse("web:billing-contract-new"), _contract_post(str(customer.pk)))
    assert response.status_code == 302
    assert Contract.objects.get(reference="WEB-PICK").customer == customer
    # without JavaScript: the search text names one customer by its code
    response = owner_client.post(
        reverse("web:billing-contract-new"), _contract_post("", customer__search="c002", reference="WEB-NOJS")
    )
    assert response.status_code == 302
    assert Contract.objects.get(reference="WEB-NOJS").customer == other


def test_a_billing_contract_with_an_unknown_customer_is_refused_with_the_pickers_message(
    owner_client, entity
):
    response = owner_client.post(
        reverse("web:billing-contract-new"), _contract_post("", customer__search="Nobody")
    )
    assert response.status_code == 400
    assert "Nobody" in response.content.decode()
    assert not Contract.objects.exists()


def test_another_companys_customer_cannot_be_picked(owner_client, entity, outsider):
    foreign_entity = outsider.memberships.get().entity
    foreign = Customer.objects.create(entity=foreign_entity, code="X1", name="Ailleurs SA", city="Nice")
    response = owner_client.post(reverse("web:billing-contract-new"), _contract_post(str(foreign.pk)))
    assert response.status_code == 400
    assert not Contract.objects.exists()


@time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False)
def test_a_project_takes_the_picked_customer(owner_client, customer):
    response = owner_client.post(reverse("web:project-create"), {
        "reference": "PRJ-PICK", "name": "Refonte", "customer__search": "443061841", "start_date": "2026-03-02",
        "fixed_price": "1000", "vat_rate": "20",
    })  # fmt: skip
    assert response.status_code == 302
    assert Project.objects.get(reference="PRJ-PICK").customer == customer


def test_a_rate_rule_takes_the_picked_customer_or_none(owner_client, customer):
    url = reverse("web:time-rates")
    assert (
        owner_client.post(
            url, {"form": "rate", "hourly_rate": "90", "customer": str(customer.pk)}
        ).status_code
        == 302
    )
    assert (
        owner_client.post(url, {"form": "rate", "hourly_rate": "70", "customer__search": ""}).status_code
        == 302
    )
    rules = {rule.hourly_rate: rule.customer for rule in RateRule.objects.all()}
    assert rules == {Decimal("90.00"): customer, Decimal("70.00"): None}


def test_a_payment_takes_the_picked_customer_and_shows_the_one_it_was_opened_for(owner_client, customer):
    url = reverse("web:payment-create")
    opened = owner_client.get(url, {"customer": str(customer.pk)}).content.decode()
    assert f'value="{customer.pk}"' in opened
    assert 'value="Boulangerie Martin SARL"' in opened
    response = owner_client.post(url, {
        "customer__search": "C001", "amount": "120,00", "received_on": "2026-03-02", "method": "transfer",
    })  # fmt: skip
    assert response.status_code == 302
    assert Payment.objects.get().customer == customer

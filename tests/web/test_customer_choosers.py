"""Forms merged after the editor choose their customer with the same search picker (issue 9): their page
does not grow with the number of customers, and the picker's value (an id, or without JavaScript a code
that names one customer) is what the form reads."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from facturier.billing.models import Contract
from facturier.parties.models import Customer
from facturier.projects.models import Project
from facturier.timesheets.models import RateRule

pytestmark = pytest.mark.django_db

PAGES = ["web:billing-contract-new", "web:project-create", "web:time-rates", "web:construction-new"]
MANY = 300


@pytest.mark.parametrize("page", PAGES)
def test_the_page_does_not_list_every_customer(owner_client, entity, customer, page):
    few = owner_client.get(reverse(page))
    assert few.status_code == 200
    assert 'data-source="/lookup/customers/"' in few.content.decode()  # the search picker
    Customer.objects.bulk_create(
        Customer(entity=entity, code=f"K{n:05d}", name=f"Client K{n:05d}", city="Paris") for n in range(MANY)
    )
    many = owner_client.get(reverse(page)).content.decode()
    assert "Client K00150" not in many
    assert "Boulangerie Martin SARL" not in many  # not even the one that was there before
    assert len(many.encode()) - len(few.content) < 500


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


def test_a_billing_contract_with_an_unknown_customer_is_refused_with_the_pickers_message(owner_client, entity):
    response = owner_client.post(reverse("web:billing-contract-new"), _contract_post("", customer__search="Nobody"))
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
    assert owner_client.post(url, {"form": "rate", "hourly_rate": "90", "customer": str(customer.pk)}).status_code == 302
    assert owner_client.post(url, {"form": "rate", "hourly_rate": "70", "customer__search": ""}).status_code == 302
    rules = {rule.hourly_rate: rule.customer for rule in RateRule.objects.all()}
    assert rules == {Decimal("90.00"): customer, Decimal("70.00"): None}

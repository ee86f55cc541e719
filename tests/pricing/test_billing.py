"""Billing contracts keep their own item prices; an item with a product and no price takes the customer's
price from the pricing rules on the day it starts."""

import datetime as dt
from decimal import Decimal

import pytest

from facturier.billing.services import ItemData, contract_create


@pytest.mark.django_db
def test_a_contract_item_with_a_product_and_no_price_takes_the_customers_list_price(
    entity, customer, product, owner, segment_list
):
    contract = contract_create(entity=entity, customer=customer, by=owner, reference="C-1",
                               start_date=dt.date(2026, 3, 1), items=[
                                   ItemData(product=product, quantity=Decimal(12)),
                                   ItemData(product=product, quantity=Decimal(1), unit_price=Decimal("990")),
                               ])  # fmt: skip

    listed, own = contract.items.order_by("unit_price")
    assert listed.unit_price == Decimal(750)  # the segment's price from 10 units
    assert own.unit_price == Decimal(990)  # a price of its own is kept


@pytest.mark.django_db
def test_outside_the_lists_validity_a_contract_item_takes_the_catalogue_price(
    entity, customer, product, owner, segment_list
):
    contract = contract_create(entity=entity, customer=customer, by=owner, reference="C-2",
                               start_date=dt.date(2027, 1, 1), items=[ItemData(product=product)])  # fmt: skip

    assert contract.items.get().unit_price == Decimal(850)

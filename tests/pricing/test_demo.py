"""The demo's pricing rules are dated from the anchor day and price new drafts of the segment's customers."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from facturier.catalog.models import Product
from facturier.demo.pricing import create_pricing
from facturier.invoicing.services import LineData, document_create
from facturier.pricing.models import Promotion


@pytest.mark.django_db
@pytest.mark.parametrize("anchor", [dt.date(2028, 2, 29), dt.date(2026, 12, 31), dt.date(2027, 1, 1)])
def test_the_demo_rules_run_around_the_anchor_and_price_a_new_draft(entity, customer, owner, anchor):
    conseil = Product.objects.create(entity=entity, sku="SRV-CONSEIL", name="Journée de conseil", unit="DAY",
                                     unit_price=Decimal("850.00"))  # fmt: skip
    create_pricing(entity, {"C0002": customer}, {"SRV-CONSEIL": conseil}, owner, anchor)
    noon_in_paris = dt.datetime.combine(anchor, dt.time(11, 0), tzinfo=dt.UTC)

    with time_machine.travel(noon_in_paris, tick=False):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=owner, promotion_code="saison",
                                lines=[LineData(product=conseil, quantity=Decimal(12))])  # fmt: skip

    line = draft.lines.get()
    assert (line.unit_price, line.price_rule) == (Decimal("760.00"), "Liste de prix Grands comptes (≥ 10)")
    assert (line.discount_percent, line.discount_rule) == (Decimal("8.00"), "Promotion Offre de saison")
    running = Promotion.objects.get(entity=entity, code="SAISON")
    assert running.valid_from < anchor < running.valid_until

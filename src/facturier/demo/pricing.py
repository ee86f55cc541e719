"""Demo pricing rules: a price list for a segment of regular customers, a volume discount on development
days and a promotion running around today, all dated from `anchor` (today in the entity's time zone).

Loaded after the history, so past documents keep the prices they were written with; new drafts show
the rules at work (the customers named here are in the segment).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.catalog.models import Product
from facturier.parties.models import Customer
from facturier.pricing import services

SEGMENT_CUSTOMERS = ("C0002", "C0012", "C0024")  # long-standing customers with many orders
SEGMENT_PRICES = {"SRV-CONSEIL": ("800.00", "760.00"), "SRV-DEV": ("620.00", "590.00")}  # base, from 10 days


def create_pricing(entity: LegalEntity, customers: dict[str, Customer], products: dict[str, Product], by: Actor,
                   anchor: dt.date) -> None:  # fmt: skip
    segment = services.segment_save(entity=entity, by=by, code="GRANDS-COMPTES", name="Grands comptes",
                                     customers=[customers[code] for code in SEGMENT_CUSTOMERS if code in customers])  # fmt: skip
    price_list = services.price_list_save(
        entity=entity, by=by, name="Grands comptes", segment=segment,
        valid_from=anchor.replace(month=1, day=1), valid_until=anchor.replace(month=12, day=31),
    )  # fmt: skip
    for sku, (base, volume) in SEGMENT_PRICES.items():
        if sku in products:
            services.price_list_item_set(price_list=price_list, by=by, product=products[sku], unit_price=base)
            services.price_list_item_set(price_list=price_list, by=by, product=products[sku], unit_price=volume,
                                         min_quantity=Decimal(10))  # fmt: skip
    for quantity, percent in ((Decimal(20), "3.00"), (Decimal(50), "6.00")):
        services.discount_save(entity=entity, by=by, name=f"Développement : {quantity} jours et plus", kind="volume",
                               percent=percent, product=products.get("SRV-DEV"), min_quantity=quantity)  # fmt: skip
    services.discount_save(entity=entity, by=by, name="Fidélité", kind="loyalty", percent="2.00",
                           min_invoiced=Decimal("20000"), min_years=1)  # fmt: skip
    services.promotion_save(entity=entity, by=by, name="Offre de saison", code="SAISON", percent="8.00",
                            valid_from=anchor - dt.timedelta(days=10), valid_until=anchor + dt.timedelta(days=20))  # fmt: skip
    services.promotion_save(entity=entity, by=by, name="Audit découverte", percent="5.00",
                            product=products.get("SRV-AUDIT-SI"), valid_from=anchor - dt.timedelta(days=5),
                            valid_until=anchor + dt.timedelta(days=25))  # fmt: skip

import datetime as dt
from decimal import Decimal

import pytest

from facturier.pricing import services


@pytest.fixture
def segment(entity, customer, owner):
    return services.segment_save(
        entity=entity, by=owner, code="GROS", name="Grossistes", customers=[customer]
    )


@pytest.fixture
def segment_list(entity, segment, product, owner):
    """Grossistes pay 800 a day, 750 from 10 days, in EUR, through 2026."""
    price_list = services.price_list_save(entity=entity, by=owner, name="Grossistes 2026", segment=segment,
                                          valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31))  # fmt: skip
    services.price_list_item_set(price_list=price_list, by=owner, product=product, unit_price=Decimal("800"))
    services.price_list_item_set(price_list=price_list, by=owner, product=product, unit_price=Decimal("750"),
                                 min_quantity=Decimal(10))  # fmt: skip
    return price_list

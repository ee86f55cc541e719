import datetime as dt
from decimal import Decimal

import pytest

from facturier.billing.services import ItemData, contract_create


@pytest.fixture(autouse=True)
def _no_official_validation(settings):
    """Billing tests issue many invoices: the official rules are exercised by the invoicing tests."""
    settings.EINVOICE_VALIDATE_ON_ISSUE = False


@pytest.fixture
def make_contract(entity, customer, owner):
    def make(reference="C-1", start=dt.date(2026, 1, 1), price="100.00", quantity="1", **options):
        items = options.pop("items", None) or [
            ItemData(description="Abonnement", quantity=Decimal(quantity), unit_price=Decimal(price))
        ]
        return contract_create(entity=entity, customer=customer, by=owner, reference=reference, start_date=start,
                               items=items, **options)  # fmt: skip

    return make

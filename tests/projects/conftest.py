import datetime as dt
from decimal import Decimal

import pytest

from facturier.projects.services import project_create


@pytest.fixture(autouse=True)
def _no_official_validation(settings):
    """Project tests issue invoices: the official rules are exercised by the invoicing tests."""
    settings.EINVOICE_VALIDATE_ON_ISSUE = False


@pytest.fixture
def make_project(entity, customer, owner):
    def make(reference="PRJ-1", price="10000.00", start=dt.date(2026, 1, 5), **options):
        return project_create(
            entity=entity, customer=customer, by=owner, reference=reference, name="Refonte du site",
            start_date=start, fixed_price=Decimal(price) if price is not None else None, **options,
        )  # fmt: skip

    return make

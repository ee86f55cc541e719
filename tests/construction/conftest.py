from decimal import Decimal

import pytest

from facturier.construction.services import LineInput, construction_contract_create


@pytest.fixture
def make_contract(entity, customer, owner):
    def make(reference="M-1", lines=None, **options):
        lines = lines or [
            LineInput(
                description="Terrassement", quantity=Decimal("120"), unit="MTQ", unit_price=Decimal("35.50")
            ),
            LineInput(description="Gros œuvre", quantity=Decimal("1"), unit_price=Decimal("48000")),
            LineInput(
                description="Menuiseries",
                quantity=Decimal("14"),
                unit="H87",
                unit_price=Decimal("612.33"),
                vat_rate=Decimal("10"),
            ),
        ]
        return construction_contract_create(
            entity=entity,
            customer=customer,
            by=owner,
            reference=reference,
            name="Extension de l'atelier",
            lines=lines,
            **options,
        )

    return make

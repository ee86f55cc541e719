"""Issue N invoices in the database of FACTURIER_DATA_DIR / DATABASE_URL (a separate OS process).

Usage: python -m tests.documents.pdf_worker_seed N. Each issue commits and queues its PDF task in the
database queue; prints the invoice numbers, one a line.
"""

import os
import sys
from decimal import Decimal


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.documents.worker_settings")
    import django

    django.setup()
    from facturier.catalog.models import Product
    from facturier.invoicing.services import LineData, document_create, invoice_issue
    from facturier.parties.models import Customer
    from tests.conftest import make_entity

    entity = make_entity()
    customer = Customer.objects.create(
        entity=entity, code="C001", name="Boulangerie Martin SARL", siren="443061841", address_line1="3 place",
        postcode="69002", city="Lyon", email="factures@martin.example",
    )  # fmt: skip
    product = Product.objects.create(
        entity=entity, sku="CONSEIL-J", name="Journée de conseil", unit="DAY", unit_price=Decimal("850.00"),
        vat_category="S", vat_rate=Decimal("20.00"),
    )  # fmt: skip
    for index in range(int(sys.argv[1])):
        draft = document_create(entity=entity, kind="invoice", customer=customer, by=None,
                                lines=[LineData(product=product, quantity=Decimal(index + 1))])  # fmt: skip
        print(invoice_issue(invoice=draft, by=None).number, flush=True)


if __name__ == "__main__":
    main()

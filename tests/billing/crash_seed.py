"""Seed N monthly contracts and queue a billing run for the workers (a separate OS process).

Usage: python -m tests.billing.crash_seed N YYYY-MM-DD (the run's date; contracts start on 1 January of
its year). Prints the billing run's id. Used by test_crash.py and bench/billing_run.py, billing_crash.py.
"""

import datetime as dt
import os
import sys
from decimal import Decimal


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.billing.worker_settings")
    import django

    django.setup()
    from django.db import transaction

    from facturier.billing.models import Contract, ContractItem
    from facturier.billing.runs import billing_run_start
    from facturier.parties.models import Customer
    from tests.conftest import make_entity

    count, day = int(sys.argv[1]), dt.date.fromisoformat(sys.argv[2])
    start = dt.date(day.year, 1, 1)
    entity = make_entity()
    customer = Customer.objects.create(
        entity=entity, code="C001", name="Boulangerie Martin SARL", siren="443061841", address_line1="3 place",
        postcode="69002", city="Lyon", email="factures@martin.example",
    )  # fmt: skip
    for first in range(0, count, 2000):
        contracts = Contract.objects.bulk_create(
            Contract(entity=entity, customer=customer, reference=f"S-{index:06d}", start_date=start)
            for index in range(first, min(count, first + 2000))
        )  # fmt: skip
        ContractItem.objects.bulk_create(
            ContractItem(contract=contract, description="Abonnement SaaS", quantity=Decimal(1 + index % 7),
                         unit_price=Decimal("19.90"), start_date=start)
            for index, contract in enumerate(contracts, start=first)
        )  # fmt: skip
    with transaction.atomic():
        run = billing_run_start(entity=entity, day=day, by=None)
    print(run.pk, flush=True)


if __name__ == "__main__":
    main()

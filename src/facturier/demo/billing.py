"""Demo subscriptions: a monthly SaaS contract upgraded mid-period, a yearly contract indexed on Syntec,
and the history of the last billing runs, played for real at past dates (dates counted from the anchor).

The runs bill what was due at their date (the invoices are issued on the anchor day: the history has
issued later invoices already and numbering never goes back in time).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.billing.indexation import index_series_create, index_values_record
from facturier.billing.models import BillingRun
from facturier.billing.runs import execute, preview
from facturier.billing.services import ItemData, contract_change, contract_create
from facturier.parties.models import Customer


def load_billing_demo(entity: LegalEntity, customers: list[Customer], by: Actor, anchor: dt.date) -> int:
    """Contracts, index values and the runs of the last four months; returns the invoices issued."""
    month = anchor.replace(day=1)
    saas_start = month - relativedelta(months=4)
    yearly_start = month - relativedelta(months=12)
    syntec = index_series_create(entity=entity, by=by, code="Syntec", name="Indice Syntec (Bureaux d'études)")
    index_values_record(series=syntec, by=by, values=[
        (yearly_start - relativedelta(months=3), Decimal("302.1")), (month - relativedelta(months=3), Decimal("310.5")),
    ])  # fmt: skip
    saas = contract_create(
        entity=entity, customer=customers[0], by=by, reference="ABO-SAAS-001", start_date=saas_start,
        notify_days=7, items=[ItemData(description="Plateforme SaaS, siège", quantity=Decimal(10),
                                       unit_price=Decimal("15.00"))],
    )  # fmt: skip
    contract_create(
        entity=entity, customer=customers[1 % len(customers)], by=by, reference="MAINT-ANNUEL-001",
        start_date=yearly_start, frequency="yearly", alignment="anniversary", term_months=12, notice_days=90,
        index_series=syntec, revision_date=yearly_start + relativedelta(years=1),
        items=[ItemData(description="Maintenance applicative annuelle", unit_price=Decimal("4800.00"),
                        index_base=Decimal("302.1"))],
    )  # fmt: skip
    issued = 0
    for back in (3, 2, 1, 0):
        day = month - relativedelta(months=back)
        if back == 1:  # an upgrade in the middle of last month: 10 seats -> 15 seats
            seats = saas.items.get(end_date__isnull=True)
            contract_change(contract=saas, by=by, effective_date=day - dt.timedelta(days=16), item=seats, kind="quantity",
                            new=ItemData(description=seats.description, quantity=Decimal(15), unit_price=Decimal("15.00")))  # fmt: skip
        run = BillingRun.objects.create(entity=entity, run_date=day)
        issued += execute(run, by=by)["invoices"]
    upcoming = month + relativedelta(months=1)
    BillingRun.objects.create(entity=entity, run_date=upcoming, dry_run=True, status="done",
                              results=preview(entity, upcoming))  # fmt: skip
    return issued

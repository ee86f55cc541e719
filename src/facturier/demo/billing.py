"""Demo subscriptions: a monthly SaaS contract upgraded mid-period, a yearly contract indexed on Syntec,
and the history of the last billing runs, played for real at past dates (dates counted from the anchor).

The runs bill what was due at their date and their invoices are dated on it: `billing_runs` gives each
run with its day, and the loader plays them among the history's steps in date order (numbering never goes
back in time). The last one is the preview of next month's run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from dateutil.relativedelta import relativedelta

from facturier.accounts.actor import Actor
from facturier.accounts.models import LegalEntity
from facturier.billing.indexation import index_series_create, index_values_record
from facturier.billing.models import BillingRun
from facturier.billing.runs import execute, preview
from facturier.billing.services import ItemData, contract_change, contract_create
from facturier.parties.models import Customer


def load_billing_demo(
    entity: LegalEntity, customers: list[Customer], by: Actor, anchor: dt.date
) -> list[tuple[dt.date, Callable[[], None]]]:
    """Contracts and index values now; returns the runs of the last four months, each with its day, to be
    played in date order among the entity's history (`HistoryWriter.play`)."""
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

    def run(day: dt.date, upgrade: bool) -> Callable[[], None]:
        def play() -> None:
            if upgrade:  # an upgrade in the middle of last month: 10 seats -> 15 seats
                seats = saas.items.get(end_date__isnull=True)
                contract_change(contract=saas, by=by, effective_date=day - dt.timedelta(days=16), item=seats,
                                kind="quantity", new=ItemData(description=seats.description, quantity=Decimal(15),
                                                              unit_price=Decimal("15.00")))  # fmt: skip
            execute(BillingRun.objects.create(entity=entity, run_date=day), by=by)

        return play

    def dry_run() -> None:
        upcoming = month + relativedelta(months=1)
        BillingRun.objects.create(entity=entity, run_date=upcoming, dry_run=True, status="done",
                                  results=preview(entity, upcoming))  # fmt: skip

    runs = [(month - relativedelta(months=back), run(month - relativedelta(months=back), back == 1))
            for back in (3, 2, 1, 0)]  # fmt: skip
    return [*runs, (anchor, dry_run)]

"""Two attempts to invoice the same work in progress at once (PostgreSQL): each entry is invoiced once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from facturier.accounts.actor import SYSTEM
from facturier.invoicing.models import Document
from facturier.projects.models import Project
from facturier.timesheets.models import Expense, TimeEntry
from facturier.timesheets.rates import rate_rule_create
from facturier.timesheets.wip import wip_invoice


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_attempts_at_once_invoice_each_entry_once(
    entity, owner, project, approved_time, approved_expense
):
    # given twenty approved entries and an expense, and a rate
    rate_rule_create(entity=entity, by=owner, hourly_rate=Decimal("90.00"))
    for index in range(20):
        approved_time(minutes=30 + index, day=dt.date(2026, 3, 1) + dt.timedelta(days=index))
    approved_expense()
    barrier, results, failures = threading.Barrier(2), [], []

    def attempt():
        try:
            barrier.wait(10)
            results.append(wip_invoice(project=Project.objects.select_related("entity", "customer")
                                       .get(pk=project.pk), by=SYSTEM))  # fmt: skip
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    # when two attempts invoice the project at the same instant
    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    # then one draft bills everything and the other attempt found nothing left
    assert failures == []
    made = [doc for doc in results if doc is not None]
    assert len(results) == 2
    assert len(made) == 1
    assert Document.objects.filter(kind="invoice").count() == 1
    assert TimeEntry.objects.filter(invoice=made[0]).count() == 20
    assert Expense.objects.filter(invoice=made[0]).count() == 1

"""Two runs billing the same milestones at once (PostgreSQL): each milestone is invoiced once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from facturier.accounts.actor import SYSTEM
from facturier.billing.sources import billing_sources
from facturier.invoicing.models import Document
from facturier.projects.models import Milestone, MilestoneKind, Trigger
from facturier.projects.services import milestone_add


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_time_bill_each_milestone_once(make_project, owner, settings):
    settings.EINVOICE_VALIDATE_ON_ISSUE = False
    # given five projects with two reached milestones each
    for index in range(5):
        project = make_project(reference=f"PRJ-{index}")
        for lot in (1, 2):
            milestone_add(project=project, by=owner, kind=MilestoneKind.INSTALMENT, label=f"Lot {lot}",
                          percent=Decimal(25), trigger=Trigger.DATE, due_date=dt.date(2026, 3, 1))  # fmt: skip
    entity = project.entity
    source = next(s for s in billing_sources() if s.key == "milestones")
    day = dt.date(2026, 3, 2)
    barrier, failures, billed = threading.Barrier(2), [], []

    def run():
        try:
            pending = list(source.pending(entity, day))  # both runs see all ten as pending
            barrier.wait(10)
            for item in pending:
                with transaction.atomic():
                    document = source.bill(item, day=day, by=SYSTEM)
                if document is not None:
                    billed.append(item.key)
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    # when two runs bill them at the same instant
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    # then each milestone has exactly one invoice
    assert failures == []
    assert sorted(billed) == sorted(str(pk) for pk in Milestone.objects.values_list("pk", flat=True))
    assert Document.objects.filter(kind="invoice").count() == 10
    assert Milestone.objects.filter(invoice__isnull=True).count() == 0

"""Two users at once (PostgreSQL): a situation is invoiced once, the retention released once."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine
from django.db import connection

from facturier.common.errors import Conflict
from facturier.construction.models import RetentionRelease
from facturier.construction.services import (
    ProgressInput,
    contract_accept,
    retention_release,
    situation_issue,
    situation_record,
)
from facturier.invoicing.models import Document

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
DAY = dt.datetime(2026, 10, 30, 9, tzinfo=dt.UTC)


def _twice(action):
    """Run ``action`` in two threads released together; the outcomes (results or errors)."""
    barrier, outcomes = threading.Barrier(2), []

    def run():
        try:
            with time_machine.travel(DAY, tick=False):
                barrier.wait(10)
                outcomes.append(action())
        except Exception as error:  # noqa: BLE001 - every outcome is asserted below
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return outcomes


def test_a_situation_is_invoiced_once_and_the_retention_released_once(make_contract, owner):
    contract = make_contract()
    with time_machine.travel(DAY, tick=False):
        progress = [ProgressInput(line=line, percent=Decimal("40")) for line in contract.lines.all()]
        situation = situation_record(contract=contract, by=owner, progress=progress)
    outcomes = _twice(lambda: situation_issue(situation=situation, by=owner))
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 1
    assert refused[0].code == "situation_already_issued"
    assert Document.objects.filter(kind="invoice").count() == 1
    with time_machine.travel(DAY, tick=False):
        contract_accept(contract=contract, by=owner, acceptance_date=dt.date(2025, 10, 30))
    outcomes = _twice(lambda: retention_release(contract=contract, by=owner))
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(refused) == 1
    assert refused[0].code == "retention_already_released"
    assert (
        RetentionRelease.objects.get(contract=contract).amount
        == situation.__class__.objects.get(pk=situation.pk).retention
    )

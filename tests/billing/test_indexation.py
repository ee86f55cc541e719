"""Syntec indexation: P1 = P0 × S1/S0 at the contract's revision date, shown on the invoice line."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.indexation import index_series_create, index_values_record, parse_csv
from facturier.billing.models import BilledPeriod
from facturier.billing.runs import billing_run_start
from facturier.billing.services import ItemData
from facturier.common.errors import ValidationFailed
from facturier.invoicing.models import Document
from facturier.jobs.models import JobRun, RunStatus
from facturier.jobs.runs import job_execute

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def _run(entity, day):
    with time_machine.travel(dt.datetime(day.year, day.month, day.day, 8, tzinfo=PARIS), tick=False):
        run = billing_run_start(entity=entity, day=day, by=None)
        for job in JobRun.objects.filter(status=RunStatus.QUEUED):
            job_execute(run_id=job.pk)
    run.refresh_from_db()
    return run


@pytest.fixture
def syntec(entity, owner):
    series = index_series_create(entity=entity, by=owner, code="Syntec", name="Indice Syntec")
    index_values_record(series=series, by=owner, values=[(dt.date(2025, 10, 1), Decimal("302.1"))])
    return series


def test_a_yearly_contract_is_revised_on_its_revision_date_and_the_line_says_so(
    entity, owner, make_contract, syntec
):
    # given 12,000.00 a year from 1 January 2026, priced at Syntec 302.1, revised every 1 January
    contract = make_contract(start=dt.date(2026, 1, 1), frequency="yearly", items=[
        ItemData(description="Infogérance", unit_price=Decimal("12000.00"))])  # fmt: skip
    contract.items.update(index_base=Decimal("302.1"))
    contract.index_series, contract.revision_date = syntec, dt.date(2027, 1, 1)
    contract.save()
    assert _run(entity, dt.date(2026, 1, 1)).results["errors"] == []
    # and Syntec is 310.5 in October 2026
    index_values_record(series=syntec, by=owner, values=[(dt.date(2026, 10, 1), Decimal("310.5"))])
    # when 2027 is billed
    run = _run(entity, dt.date(2027, 1, 1))
    assert run.results["errors"] == []
    # then the price is 12,000 × 310.5 / 302.1 = 12,333.664...: 12,333.66, said on the line
    bp = BilledPeriod.objects.get(contract=contract, period_start=dt.date(2027, 1, 1))
    invoice = Document.objects.get(pk=bp.document_id)
    [line] = invoice.lines.all()
    assert invoice.tax_exclusive == Decimal("12333.66")
    assert "indexé Syntec 310.5/302.1" in line.description  # the company speaks French
    contract.refresh_from_db()
    assert contract.revision_date == dt.date(2028, 1, 1)
    # and 2026 keeps its price (the past is not rewritten), nothing billed twice on a second run
    assert Document.objects.filter(kind="invoice").count() == 2
    assert _run(entity, dt.date(2027, 1, 1)).results["invoices"] == []
    assert Document.objects.filter(kind="invoice").count() == 2


def test_a_missing_index_value_blocks_the_contract_with_its_reason(entity, make_contract, syntec):
    contract = make_contract(start=dt.date(2026, 1, 1))
    contract.items.update(index_base=Decimal("302.1"))
    contract.index_series, contract.revision_date = syntec, dt.date(2025, 6, 1)  # before any value
    contract.save()
    run = _run(entity, dt.date(2026, 1, 1))
    [error] = run.results["errors"]
    assert error["code"] == "index_value_missing"
    assert "Syntec" in error["reason"]
    assert not BilledPeriod.objects.exists()


def test_index_values_are_imported_from_csv_with_a_header_and_decimal_commas():
    rows = parse_csv("date;valeur\n2025-10-01;302,1\n2026-10-01;310,5\n")
    assert rows == [(dt.date(2025, 10, 1), Decimal("302.1")), (dt.date(2026, 10, 1), Decimal("310.5"))]
    assert parse_csv("2026-10-01,310.5\n") == [(dt.date(2026, 10, 1), Decimal("310.5"))]
    with pytest.raises(ValidationFailed):
        parse_csv("date,value\n2026-13-01,310.5\n")


def test_the_command_enters_and_imports_index_values(entity, tmp_path, capsys):
    from facturier.cli import main

    assert (
        main(["billing-index", "--entity", entity.siren, "--code", "Syntec", "--set", "2025-10-01", "302.1"])
        == 0
    )
    path = tmp_path / "syntec.csv"
    path.write_text("date;valeur\n2026-10-01;310,5\n", encoding="utf-8")
    assert main(["billing-index", "--entity", entity.siren, "--code", "Syntec", "--import", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-2:] == ["Syntec  2025-10-01  302.1", "Syntec  2026-10-01  310.5"]

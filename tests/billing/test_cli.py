"""`facturier billing-run`: JSON or text, a preview with --dry-run, exit 1 when a contract failed."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine

from facturier.billing.models import BilledPeriod
from facturier.cli import main

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_the_command_bills_then_bills_nothing_the_second_time(entity, make_contract, capsys):
    make_contract()
    with time_machine.travel(dt.datetime(2026, 2, 1, 8, tzinfo=PARIS), tick=False):
        # a dry run first: what would be billed, nothing written
        assert main(["billing-run", "--entity", entity.siren, "--date", "2026-02-01", "--dry-run",
                     "--format", "json"]) == 0  # fmt: skip
        preview = json.loads(capsys.readouterr().out)
        assert [i["period"][0] for i in preview["invoices"]] == ["2026-01-01", "2026-02-01"]
        assert preview["totals"] == {"EUR": "200.00"}
        assert preview["anomalies"][0]["code"] == "backlog"
        assert not BilledPeriod.objects.exists()
        # then the real run issues January's and February's invoices
        assert (
            main(["billing-run", "--entity", entity.siren, "--date", "2026-02-01", "--format", "json"]) == 0
        )
        first = json.loads(capsys.readouterr().out)
        assert len(first["invoices"]) == 2
        assert first["errors"] == []
        # and a second run bills nothing
        assert main(["billing-run", "--entity", entity.siren, "--date", "2026-02-01"]) == 0
        assert "0 invoice(s) for 2026-02-01" in capsys.readouterr().out


def test_a_failed_contract_makes_the_exit_code_non_zero(entity, make_contract, capsys):
    make_contract(reference="USD-1", currency="USD")
    with time_machine.travel(dt.datetime(2026, 1, 1, 8, tzinfo=PARIS), tick=False):
        code = main(["billing-run", "--entity", entity.siren, "--date", "2026-01-01", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 1
    assert json.loads(captured.out)["errors"][0]["contract"] == "USD-1"


def test_the_command_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["billing-run", "--help"])
    assert "--dry-run" in capsys.readouterr().out


def test_a_date_that_is_not_iso_is_refused_and_bills_nothing(entity, make_contract, capsys):
    make_contract()
    code = main(["billing-run", "--entity", entity.siren, "--date", "01/02/2026"])
    assert code != 0
    assert "--date: '01/02/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert not BilledPeriod.objects.exists()

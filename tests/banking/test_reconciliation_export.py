"""`facturier reconcile` and `facturier reconciliation export`: one row per bank line with the keys auditors
read (bank_reference, date, amount, status, invoices, score, reason)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest

from facturier.banking.models import BankLine, LineStatus
from facturier.cli import main
from tests.banking.conftest import csv_bytes
from tests.banking.reconciliation_helpers import customer_named, issued

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))
KEYS = ["bank_reference", "date", "amount", "status", "invoices", "score", "reason"]


@pytest.fixture
def statement_file(entity, customer, owner, account, tmp_path):
    martin = issued(entity, customer, owner, "1000.00")  # 1,200.00
    durand = customer_named(entity, "SARL Durand", "C002")
    issued(entity, durand, owner, "250.00")  # 300.00, paid by nobody
    path = tmp_path / "releve.csv"
    path.write_bytes(csv_bytes([
        ("03/11/2026", "", "1 200,00", f"VIR {martin.number}", "BOULANGERIE MARTIN"),
        ("04/11/2026", "12,50", "", "FRAIS TENUE DE COMPTE", ""),
        ("05/11/2026", "", "42,00", "VIR CADEAU", "TANTE AGATHE"),
    ]))  # fmt: skip
    return path, martin


def test_import_then_reconcile_then_export_as_json(entity, statement_file, tmp_path, capsys):
    path, martin = statement_file
    # when the statement is imported without reconciling, nothing is reconciled yet
    assert main(["import-statement", str(path), "--entity", entity.siren, "--no-reconcile"]) == 0
    assert not BankLine.objects.exclude(status=LineStatus.UNRECONCILED).exists()
    # when `facturier reconcile` runs
    assert main(["reconcile", "--entity", entity.siren]) == 0
    assert "1 automatically" in capsys.readouterr().out
    # then the JSON export has one object per line with the agreed keys
    out = tmp_path / "export.json"
    assert (
        main(["reconciliation", "export", "--entity", entity.siren, "--format", "json", "--out", str(out)])
        == 0
    )
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert len(rows) == 3
    assert all(list(row) == KEYS for row in rows)
    paid = rows[0]
    assert (paid["date"], paid["amount"], paid["status"], paid["invoices"]) == (
        "2026-11-03", "1200.00", "auto", [martin.number],
    )  # fmt: skip
    assert 0.95 <= paid["score"] <= 1
    assert martin.number in paid["reason"]
    assert [row["status"] for row in rows[1:]] == ["unmatched", "unmatched"]
    assert rows[1]["reason"] == "money out: not a customer's payment"


def test_the_import_reconciles_by_itself_and_the_csv_export_goes_to_standard_output(
    entity, statement_file, capsys
):
    path, martin = statement_file
    assert main(["import-statement", str(path), "--entity", entity.siren]) == 0
    assert "RECONCILED 1 automatically" in capsys.readouterr().out
    assert main(["reconciliation", "export", "--entity", entity.siren, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == KEYS
    assert (rows[0]["status"], rows[0]["invoices"], rows[0]["amount"]) == ("auto", martin.number, "1200.00")
    assert rows[2]["score"] == "" or 0 <= float(rows[2]["score"]) < 0.95


def test_reasons_are_exported_in_french_on_request(entity, statement_file, capsys):
    path, _martin = statement_file
    main(["import-statement", str(path), "--entity", entity.siren])
    capsys.readouterr()
    main(["reconciliation", "export", "--entity", entity.siren, "--format", "json", "--language", "fr"])
    rows = json.loads(capsys.readouterr().out)
    assert rows[1]["reason"] == "argent sorti : pas un paiement de client"


def test_commands_have_help(capsys):
    for argv in (["reconcile", "--help"], ["reconciliation", "export", "--help"]):
        with pytest.raises(SystemExit):
            main(argv)
        assert "--entity" in capsys.readouterr().out

"""`facturier bank-account add` and `facturier import-statement`: one line per file, exit 1 on any refusal."""

from __future__ import annotations

import json

import pytest

from facturier.banking.models import BankAccount, BankLine
from facturier.cli import main
from tests.banking.conftest import IBAN, MAPPING, csv_bytes


@pytest.mark.django_db(transaction=False)
def test_an_account_is_added_then_statements_imported_from_the_command_line(entity, tmp_path, capsys):
    # given the bank's CSV mapping in a file
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING))
    # when the account is added with its IBAN (spaces as printed on a RIB) and the mapping
    code = main(["bank-account", "add", "--entity", entity.siren, "--iban", "FR76 3000 6000 0112 3456 7890 189",
                 "--name", "Compte courant", "--bic", "AGRIFRPP", "--csv-mapping", str(tmp_path / "mapping.json")])  # fmt: skip
    assert code == 0
    assert "ADDED" in capsys.readouterr().out
    assert BankAccount.objects.get().csv_mapping["encoding"] == "latin-1"
    # when two statements are imported, the second overlapping the first
    (tmp_path / "a.csv").write_bytes(csv_bytes())
    (tmp_path / "b.csv").write_bytes(
        csv_bytes(
            [
                ("09/11/2026", "", "7,00", "VIR Y", ""),
                ("03/11/2026", "", "1 200,00", "VIR FA-2026-0001", "BOULANGERIE MARTIN"),
            ]
        )
    )
    code = main(["import-statement", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), str(tmp_path / "a.csv"),
                 "--entity", entity.siren, "--account", IBAN, "--no-reconcile"])  # fmt: skip
    # then each file has its line and nothing is stored twice
    assert code == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"IMPORTED  a.csv: {IBAN} csv: 3 new, 0 already imported"
    assert out[1] == f"IMPORTED  b.csv: {IBAN} csv: 1 new, 1 already imported"
    assert out[2].startswith("ALREADY   a.csv")
    assert BankLine.objects.count() == 4


@pytest.mark.django_db(transaction=False)
def test_refused_files_and_unknown_accounts_exit_non_zero(entity, account, tmp_path, capsys):
    (tmp_path / "good.csv").write_bytes(csv_bytes())
    (tmp_path / "bad.xml").write_bytes(b"<Document>nothing</Document>")
    # when a good and an unreadable file are imported, then the good one is in and the exit code is 1
    code = main(["import-statement", str(tmp_path / "good.csv"), str(tmp_path / "bad.xml"),
                 str(tmp_path / "missing.sta"), "--entity", entity.siren])  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "REFUSED   bad.xml" in err
    assert "statement_unreadable/unknown_format" in err
    assert "missing.sta: cannot read it" in err
    assert BankLine.objects.count() == 3
    # an account the company does not have, and an invalid IBAN, are refused by name
    assert main(["import-statement", str(tmp_path / "good.csv"), "--entity", entity.siren, "--account",
                 "DE89370400440532013000"]) == 1  # fmt: skip
    assert "DE89370400440532013000" in capsys.readouterr().err
    assert main(["bank-account", "add", "--entity", entity.siren, "--iban", "FR00 1234"]) == 1
    assert "[invalid_iban]" in capsys.readouterr().err


def test_the_commands_have_help(capsys):
    for command in (["bank-account", "add", "--help"], ["import-statement", "--help"]):
        with pytest.raises(SystemExit) as exit_:
            main(command)
        assert exit_.value.code == 0
    assert "--no-reconcile" in capsys.readouterr().out


@pytest.mark.django_db
def test_a_banks_csv_mapping_is_saved_later_then_removed(entity, tmp_path, capsys):
    # given an account added without a mapping: its CSV exports cannot be read
    assert (
        main(["bank-account", "add", "--entity", entity.siren, "--iban", IBAN, "--name", "Compte courant"])
        == 0
    )
    (tmp_path / "releve.csv").write_bytes(csv_bytes())
    assert main(["import-statement", str(tmp_path / "releve.csv"), "--entity", entity.siren, "--account", IBAN,
                 "--no-reconcile"]) == 1  # fmt: skip
    # when the mapping is saved afterwards (IBAN with spaces, as printed)
    (tmp_path / "mapping.json").write_text(json.dumps(MAPPING))
    code = main(["bank-account", "csv-mapping", "--entity", entity.siren, "--account", "FR76 3000 6000 0112 3456 7890 189",
                 "--mapping", str(tmp_path / "mapping.json")])  # fmt: skip
    # then the same file imports
    assert code == 0
    assert main(["import-statement", str(tmp_path / "releve.csv"), "--entity", entity.siren, "--account", IBAN,
                 "--no-reconcile"]) == 0  # fmt: skip
    assert BankLine.objects.count() == 3
    # and the mapping can be removed; an unknown account or an unreadable mapping is a clear refusal
    assert main(["bank-account", "csv-mapping", "--entity", entity.siren, "--account", IBAN, "--remove"]) == 0
    assert BankAccount.objects.get().csv_mapping is None
    capsys.readouterr()
    assert main(["bank-account", "csv-mapping", "--entity", entity.siren, "--account", "GB82WEST12345698765432",
                 "--remove"]) == 1  # fmt: skip
    (tmp_path / "bad.json").write_text("[1, 2]")
    assert main(["bank-account", "csv-mapping", "--entity", entity.siren, "--account", IBAN,
                 "--mapping", str(tmp_path / "bad.json")]) == 1  # fmt: skip
    assert "JSON object" in capsys.readouterr().err

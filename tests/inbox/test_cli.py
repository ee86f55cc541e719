"""`facturier import-einvoice FILE... --entity X` imports files and exits non-zero when one is refused."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from facturier.inbox.models import Channel, ReceivedInvoice
from tests.inbox.builders import cii_bytes, ubl_bytes, zip_bytes

ROOT = Path(__file__).resolve().parents[2]


def test_the_command_imports_each_file_and_reports_one_line_per_invoice(entity, tmp_path):
    # given an XML invoice and a zip holding another one
    (tmp_path / "a.xml").write_bytes(cii_bytes(number="CLI-1"))
    (tmp_path / "b.zip").write_bytes(zip_bytes({"b.xml": ubl_bytes(number="CLI-2")}))
    out = StringIO()
    # when the command runs with the entity's SIREN
    call_command(
        "import_einvoice",
        str(tmp_path / "a.xml"),
        str(tmp_path / "b.zip"),
        "--entity",
        entity.siren,
        stdout=out,
    )
    # then both are in the inbox, received through the command line, and each has its line
    assert set(ReceivedInvoice.objects.values_list("number", "channel")) == {
        ("CLI-1", Channel.CLI),
        ("CLI-2", Channel.CLI),
    }
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert all(line.startswith("IMPORTED") for line in lines)


def test_the_command_fails_naming_refused_files_and_unknown_entities(entity, tmp_path):
    # given one good and one hostile file
    (tmp_path / "good.xml").write_bytes(cii_bytes())
    (tmp_path / "evil.xml").write_bytes(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>')
    out = StringIO()
    # when both are imported, then the good one is in and the command fails
    with pytest.raises(CommandError, match="1 file"):
        call_command(
            "import_einvoice",
            str(tmp_path / "good.xml"),
            str(tmp_path / "evil.xml"),
            "--entity",
            entity.name,
            stdout=out,
        )
    assert "REFUSED   evil.xml" in out.getvalue()
    assert ReceivedInvoice.objects.count() == 1
    with pytest.raises(CommandError, match="No company matches"):
        call_command("import_einvoice", str(tmp_path / "good.xml"), "--entity", "nobody")


@pytest.mark.slow
def test_facturier_import_einvoice_runs_as_a_real_command(tmp_path):
    # given a fresh installation (its own SQLite database and data directory) with one entity
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "FACTURIER_DATA_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    cli = [sys.executable, "-m", "facturier.cli"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*cli, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)

    assert run("migrate").returncode == 0
    create = (
        "from facturier.accounts.services import entity_create;"
        "entity_create(by=None, admin_user=None, name='Atelier CLI', siren='552100554',"
        " address_line1='1 rue', postcode='75001', city='Paris')"
    )
    assert run("manage", "shell", "-c", create).returncode == 0
    (tmp_path / "in.xml").write_bytes(cii_bytes(number="SUB-1"))
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.7 not really")
    # when two files are imported, one of them broken
    done = run(
        "import-einvoice", str(tmp_path / "in.xml"), str(tmp_path / "bad.pdf"), "--entity", "552100554"
    )
    # then the good one is reported imported, the bad one refused, and the exit code says so
    assert done.returncode == 1, done.stderr
    assert "IMPORTED  in.xml" in done.stdout
    assert "REFUSED   bad.pdf" in done.stdout
    assert "1 file(s) refused" in done.stderr
    # and importing the good one again reports it as already received, exit code 0
    again = run("import-einvoice", str(tmp_path / "in.xml"), "--entity", "Atelier CLI")
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("ALREADY")

"""`facturier sepa-dd-collect` and `facturier sepa-transfer`: files written, failures exit non-zero."""

from __future__ import annotations

import datetime as dt

import pytest

from facturier.cli import build_parser, main
from facturier.invoicing.services import invoice_issue
from facturier.payments.models import SepaFile
from facturier.payments.sepa_mandates import mandate_create, sepa_creditor_set
from tests.sepa.conftest import assert_valid

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC))


@pytest.fixture
def collectable(entity, customer, owner, draft_invoice):
    sepa_creditor_set(entity=entity, creditor_id="FR72ZZZ123456", by=owner)
    mandate_create(customer=customer, reference="UMR-CLI-1", signed_on=dt.date(2026, 11, 1),
                   iban="DE89370400440532013000", by=owner)  # fmt: skip
    return invoice_issue(invoice=draft_invoice, by=owner)


def test_sepa_dd_collect_writes_a_valid_file_once(collectable, entity, tmp_path, capsys, pain_schema):
    out = tmp_path / "dd.xml"
    # when the run is made for a date far enough ahead
    assert main(["sepa-dd-collect", "--entity", entity.siren, "--date", "2027-01-08", "--out", str(out)]) == 0
    # then the file is written, valid, and the progress says what happened
    assert_valid(pain_schema("pain.008.001.08"), out.read_bytes())
    printed = capsys.readouterr().out
    assert "[1/2] scheduled and pre-notified 1 invoice(s)" in printed
    assert "3204.60 EUR" in printed
    # and running it again collects nothing twice
    assert main(["sepa-dd-collect", "--entity", entity.siren, "--date", "2027-01-08"]) == 0
    assert "nothing left to collect" in capsys.readouterr().out
    assert SepaFile.objects.count() == 1


def test_sepa_dd_collect_fails_without_creditor_identifier(entity, capsys):
    assert main(["sepa-dd-collect", "--entity", entity.siren, "--date", "2027-01-08"]) == 1
    assert "[no_creditor_id]" in capsys.readouterr().err


def test_sepa_dd_collect_refuses_a_bad_date_and_has_help(entity, capsys):
    assert main(["sepa-dd-collect", "--entity", entity.siren, "--date", "08/01/2027"]) == 1
    assert "--date" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sepa-dd-collect", "--help"])
    assert "--out" in capsys.readouterr().out


def test_sepa_transfer_refuses_a_bad_date(entity, capsys):
    assert main(["sepa-transfer", "--entity", entity.siren, "--date", "23/11/2026"]) == 1
    assert "--date: '23/11/2026' is not a date (YYYY-MM-DD)" in capsys.readouterr().err
    assert not SepaFile.objects.exists()


def test_sepa_transfer_with_nothing_pending_says_so(entity, capsys):
    assert main(["sepa-transfer", "--entity", entity.siren, "--date", "2026-11-23"]) == 0
    assert "no transfer" in capsys.readouterr().out

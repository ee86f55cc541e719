"""Reconciliation follows every import that adds lines: a file dropped in the watched folder, an upload
through the API; `--no-reconcile` is the only way to import without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facturier.banking.models import BankLine, LineStatus
from facturier.banking.watched import folder_name, import_watched
from tests.api.conftest import make_key
from tests.banking.conftest import csv_bytes
from tests.banking.reconciliation_helpers import issued

pytestmark = pytest.mark.time_machine(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC))


def _statement(invoice) -> bytes:
    return csv_bytes([("03/11/2026", "", "1 200,00", f"VIR {invoice.number}", "BOULANGERIE MARTIN")])


def test_a_statement_dropped_in_the_watched_folder_is_reconciled(
    entity, customer, owner, account, settings, tmp_path
):
    invoice = issued(entity, customer, owner, "1000.00")
    settings.FACTURIER_STATEMENTS_DIR = str(tmp_path / "statements")
    folder = tmp_path / "statements" / "inbox" / folder_name(entity)
    folder.mkdir(parents=True)
    (folder / "releve.csv").write_bytes(_statement(invoice))
    import_watched()
    assert BankLine.objects.get().status == LineStatus.AUTO


def test_a_statement_uploaded_through_the_api_is_reconciled(entity, customer, owner, account):
    invoice = issued(entity, customer, owner, "1000.00")
    _key, secret = make_key(entity, ["bank:write"])
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    response = client.post(
        "/api/v1/bank-statements", {"file": SimpleUploadedFile("releve.csv", _statement(invoice))}
    )
    assert response.status_code == 201
    assert BankLine.objects.get().status == LineStatus.AUTO

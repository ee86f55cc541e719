"""`/api/v1/bank-statements` and `/api/v1/bank-lines`: the `bank` scope, idempotent uploads, clean refusals."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from facturier.audit.models import AuditEvent
from facturier.banking.models import BankAccount, BankLine
from tests.api.conftest import make_key
from tests.banking.conftest import IBAN, csv_bytes
from tests.conftest import make_entity


def _client(entity, scopes):
    _key, secret = make_key(entity, scopes)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _upload(client, name: str, content: bytes, **form):
    return client.post("/api/v1/bank-statements", {"file": SimpleUploadedFile(name, content), **form})


def test_an_uploaded_statement_is_imported_once_and_its_lines_listed(entity, account):
    client = _client(entity, ["bank:write"])
    # when the bank's CSV export is uploaded for the account
    response = _upload(client, "export.csv", csv_bytes(), account=IBAN)
    # then its lines are created and counted
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["outcome"], body["new_lines"], body["duplicate_lines"]) == ("imported", 3, 0)
    assert body["imports"][0]["account_iban"] == IBAN
    # and the same file again answers 200 without writing anything
    again = _upload(client, "export.csv", csv_bytes(), account=IBAN)
    assert again.status_code == 200
    assert (again.json()["outcome"], again.json()["new_lines"]) == ("already_imported", 0)
    assert BankLine.objects.count() == 3
    # and the lines are listed, newest booking first, with their signed amounts
    lines = client.get("/api/v1/bank-lines", {"account": IBAN}).json()["items"]
    assert sorted(line["amount"] for line in lines) == ["-12.50", "1200.00", "360.00"]
    assert {line["status"] for line in lines} == {"unreconciled"}
    assert client.get("/api/v1/bank-statements").json()["items"][0]["new_lines"] == 3
    assert AuditEvent.objects.get(action="bank_statement.imported").actor_label.startswith("apikey:")


def test_the_bank_scope_guards_reads_and_writes(entity, account):
    reader = _client(entity, ["bank:read"])
    refused = _upload(reader, "export.csv", csv_bytes(), account=IBAN)
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert reader.get("/api/v1/bank-lines").status_code == 200
    # a key of another resource sees no bank line
    assert _client(entity, ["invoices:write"]).get("/api/v1/bank-lines").status_code == 403
    assert not BankLine.objects.exists()


def test_a_refused_statement_is_a_problem_with_a_stable_code(entity, account, settings):
    client = _client(entity, ["bank:write"])
    unreadable = _upload(client, "scan.pdf", b"%PDF-1.7 nothing")
    assert unreadable.status_code == 422
    assert unreadable["Content-Type"] == "application/problem+json"
    assert unreadable.json()["code"] == "statement_unreadable"
    unknown = _upload(client, "export.csv", csv_bytes(), account="DE89370400440532013000")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "unknown_bank_account"
    settings.FACTURIER_STATEMENT_MAX_BYTES = 50
    large = _upload(client, "export.csv", csv_bytes(), account=IBAN)
    assert large.status_code == 413
    assert not BankLine.objects.exists()


def test_a_key_sees_only_its_companys_lines_and_accounts(entity, account):
    _upload(_client(entity, ["bank:write"]), "export.csv", csv_bytes(), account=IBAN)
    other = _client(make_entity(name="Tierce SARL", siren="443061841"), ["bank:write"])
    assert other.get("/api/v1/bank-lines").json()["items"] == []
    assert other.get("/api/v1/bank-accounts").json()["items"] == []
    assert other.get("/api/v1/bank-lines", {"account": IBAN}).status_code == 404


def test_a_bank_account_is_added_through_the_api_with_its_iban_checked(entity):
    client = _client(entity, ["bank:write"])
    bad = client.post(
        "/api/v1/bank-accounts", {"iban": "FR76 0000 0000 0000"}, content_type="application/json"
    )
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_iban"
    created = client.post("/api/v1/bank-accounts", {"iban": "FR76 3000 6000 0112 3456 7890 189", "name": "Main"},
                          content_type="application/json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["iban"] == IBAN
    assert BankAccount.objects.get().name == "Main"

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from facturier.accounts.models import ApiKey, LegalEntity
from facturier.audit.models import AuditEvent
from facturier.parties.models import Customer
from tests.api.conftest import ApiClient, assert_problem, make_key


def test_a_request_without_a_key_is_refused_with_401(customer):
    response = ApiClient(None).get("/api/v1/customers")
    assert_problem(response, 401, "unauthenticated")


def test_an_unknown_key_is_refused_with_401(customer):
    response = ApiClient("fk_00000000_not-a-real-key").get("/api/v1/customers")
    body = assert_problem(response, 401, "unauthenticated")
    assert "customers" not in response.content.decode().replace(body["instance"], "")


def test_a_revoked_key_is_refused_with_401(entity, customer):
    key, secret = make_key(entity, ["customers:read"])
    key.revoked_at = timezone.now()
    key.save()
    assert_problem(ApiClient(secret).get("/api/v1/customers"), 401, "api_key_revoked")


def test_a_key_without_the_scope_gets_403_and_changes_nothing(entity, customer):
    # given a key that may read invoices only
    _key, secret = make_key(entity, ["invoices:read"])
    client = ApiClient(secret)
    # then customers can be neither read nor created
    assert_problem(client.get("/api/v1/customers"), 403, "insufficient_scope")
    body = {"code": "C9", "name": "X", "address_line1": "a", "postcode": "1", "city": "c"}
    problem = assert_problem(client.post("/api/v1/customers", body), 403, "insufficient_scope")
    assert problem["required_scope"] == "customers:write"
    assert Customer.objects.count() == 1


def test_a_read_scope_does_not_allow_writing_but_write_implies_read(entity, customer):
    _key, reader = make_key(entity, ["customers:read"])
    _key, writer = make_key(entity, ["customers:write"])
    assert ApiClient(reader).get(f"/api/v1/customers/{customer.pk}").status_code == 200
    assert ApiClient(writer).get(f"/api/v1/customers/{customer.pk}").status_code == 200
    response = ApiClient(reader).patch(f"/api/v1/customers/{customer.pk}", {"city": "Paris"})
    assert_problem(response, 403, "insufficient_scope")
    customer.refresh_from_db()
    assert customer.city == "Lyon"


def test_using_a_key_records_when_it_was_last_used(entity, customer):
    key, secret = make_key(entity, ["customers:read"])
    assert key.last_used_at is None
    ApiClient(secret).get("/api/v1/customers")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_key_of_another_company_sees_none_of_this_companys_rows(entity, customer, product, draft_invoice):
    # given a key of the outsider's company
    other = LegalEntity.objects.exclude(pk=entity.pk).get()
    _key, secret = make_key(other, ["customers:write", "products:write", "invoices:write"])
    client = ApiClient(secret)
    # then lists are empty and direct reads or writes are 404, as if the rows did not exist
    assert client.get("/api/v1/customers").json()["items"] == []
    assert client.get("/api/v1/products").json()["items"] == []
    assert client.get("/api/v1/invoices").json()["items"] == []
    assert_problem(client.get(f"/api/v1/customers/{customer.pk}"), 404, "customer_not_found")
    assert_problem(client.get(f"/api/v1/products/{product.pk}"), 404, "product_not_found")
    assert_problem(client.get(f"/api/v1/invoices/{draft_invoice.pk}"), 404, "document_not_found")
    assert_problem(client.patch(f"/api/v1/customers/{customer.pk}", {"city": "X"}), 404, "customer_not_found")
    assert_problem(client.post(f"/api/v1/invoices/{draft_invoice.pk}/issue"), 404, "document_not_found")
    draft_invoice.refresh_from_db()
    assert draft_invoice.status == "draft"


def test_apikey_create_command_prints_a_working_key_once(entity, customer):
    # when an operator creates a key from the command line
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey_create", "--entity", "552100554", "--scopes", "customers:read,invoices:write",
                 "--name", "ERP", stdout=out, stderr=err)  # fmt: skip
    secret = out.getvalue().strip()
    # then only its digest is stored, and it works against the API
    key = ApiKey.objects.get(name="ERP")
    assert key.digest == ApiKey.digest_of(secret)
    assert secret not in key.digest
    assert sorted(key.scopes) == ["customers:read", "invoices:write"]
    assert "shown only this once" in err.getvalue()
    response = ApiClient(secret).get("/api/v1/customers")
    assert [item["code"] for item in response.json()["items"]] == ["C001"]


def test_apikey_create_command_refuses_unknown_scopes_and_unknown_companies(entity):
    with pytest.raises(CommandError, match="Périmètres inconnus"):
        call_command("apikey_create", "--entity", entity.name, "--scopes", "everything", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No company matches"):
        call_command(
            "apikey_create", "--entity", "Nobody", "--scopes", "customers:read", stdout=io.StringIO()
        )
    assert not ApiKey.objects.exists()


def test_the_facturier_command_reports_an_unknown_company_without_a_traceback(entity, capsys):
    from facturier.cli import main

    assert main(["apikey", "create", "--entity", "Nobody", "--scopes", "customers:read"]) == 1
    assert "No company matches 'Nobody'" in capsys.readouterr().err
    assert main(["apikey", "create", "--entity", entity.siren, "--scopes", "customers:read"]) == 0
    assert ApiKey.objects.get().entity == entity


def test_a_revoked_key_stops_working_at_once_and_stays_listed(entity, customer, capsys):
    from facturier.cli import main

    # given a working key
    key, secret = make_key(entity, ["customers:read"], name="Leaked ERP key")
    assert ApiClient(secret).get("/api/v1/customers").status_code == 200
    # when an operator revokes it by its prefix
    assert main(["apikey", "revoke", "--entity", entity.siren, "--prefix", key.prefix]) == 0
    # then the API refuses it, the revocation is audited, and the list shows it revoked (never its secret)
    assert ApiClient(secret).get("/api/v1/customers").status_code == 401
    assert AuditEvent.objects.filter(action="apikey.revoked", object_id=str(key.pk)).exists()
    capsys.readouterr()
    assert main(["apikey", "list", "--entity", entity.siren]) == 0
    listed = capsys.readouterr().out
    assert key.prefix in listed
    assert "revoked" in listed
    assert secret not in listed
    # and revoking it again, or a key of nobody, is a clear error
    assert main(["apikey", "revoke", "--entity", entity.siren, "--prefix", key.prefix]) == 1
    assert "déjà été révoquée" in capsys.readouterr().err
    assert main(["apikey", "revoke", "--entity", entity.siren, "--prefix", "nope"]) == 1
    assert "Aucune clé d'API « nope »" in capsys.readouterr().err

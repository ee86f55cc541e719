"""`/api/v1/inbox`: multipart upload with the inbox:write scope, list and detail with inbox:read."""

from __future__ import annotations

from django.test import Client

from facturier.audit.models import AuditEvent
from facturier.inbox.models import ReceivedInvoice
from tests.api.conftest import make_key
from tests.conftest import make_entity
from tests.inbox.builders import cii_bytes, ubl_bytes, zip_bytes


def _client(entity, scopes):
    _key, secret = make_key(entity, scopes)
    return Client(headers={"Authorization": f"Bearer {secret}"})


def _upload(client, name: str, content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post("/api/v1/inbox", {"file": SimpleUploadedFile(name, content)})


def test_an_uploaded_invoice_is_created_then_listed_and_read_with_its_findings(entity):
    # given a key allowed to write the inbox
    client = _client(entity, ["inbox:write"])
    # when a CII invoice is uploaded
    response = _upload(client, "FA-42.xml", cii_bytes())
    # then it is created and described
    assert response.status_code == 201, response.content
    (item,) = response.json()["items"]
    assert item["outcome"] == "imported"
    received = item["received"]
    assert received["number"] == "FA-2026-0042"
    assert received["amount_due"] == "120.00"
    assert received["supplier"]["siren"] == "404833048"
    # and it is in the list, and its detail carries the findings (validation could not run here)
    listed = client.get("/api/v1/inbox").json()["items"]
    assert [row["id"] for row in listed] == [received["id"]]
    detail = client.get(f"/api/v1/inbox/{received['id']}").json()
    assert detail["validation_ran"] is False
    assert detail["findings"][0]["rule_id"] == "VALIDATION-NOT-RUN"
    # and the audit trail names the API key
    event = AuditEvent.objects.get(action="inbox.received")
    assert event.actor_label.startswith("apikey:")


def test_uploading_the_same_bytes_again_answers_200_with_the_existing_row(entity):
    client = _client(entity, ["inbox:write"])
    first = _upload(client, "a.xml", cii_bytes()).json()["items"][0]["received"]["id"]
    # when the same file is sent again
    again = _upload(client, "a-copy.xml", cii_bytes())
    # then nothing new: 200, already_received, same id
    assert again.status_code == 200
    assert again.json()["items"][0]["outcome"] == "already_received"
    assert again.json()["items"][0]["received"]["id"] == first
    assert ReceivedInvoice.objects.count() == 1


def test_a_refused_file_is_a_problem_with_a_stable_code(entity, settings):
    client = _client(entity, ["inbox:write"])
    # when a hostile XML is uploaded, then 422 problem+json
    hostile = _upload(client, "x.xml", b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>')
    assert hostile.status_code == 422
    assert hostile["Content-Type"] == "application/problem+json"
    assert hostile.json()["code"] == "inbox_unreadable_invoice"
    # when a file over the limit is uploaded, then 413
    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 1000
    large = _upload(client, "big.xml", cii_bytes())
    assert large.status_code == 413
    assert large.json()["code"] == "inbox_file_too_large"
    assert not ReceivedInvoice.objects.exists()


def test_a_zip_upload_lists_each_member_with_its_outcome(entity):
    client = _client(entity, ["inbox:write"])
    archive = zip_bytes(
        {"a.xml": cii_bytes(number="Z-1"), "b.xml": ubl_bytes(number="Z-2"), "c.txt": b"hello"}
    )
    response = _upload(client, "batch.zip", archive)
    assert response.status_code == 201
    outcomes = {item["filename"]: item["outcome"] for item in response.json()["items"]}
    assert outcomes == {"a.xml": "imported", "b.xml": "imported", "c.txt": "refused"}


def test_scopes_are_enforced_read_cannot_upload_and_other_resources_cannot_read(entity):
    # given a read-only key and a key for customers only
    reader = _client(entity, ["inbox:read"])
    stranger = _client(entity, ["customers:write"])
    # then the reader cannot upload, and the stranger cannot even list
    refused = _upload(reader, "a.xml", cii_bytes())
    assert refused.status_code == 403
    assert refused.json()["code"] == "insufficient_scope"
    assert stranger.get("/api/v1/inbox").status_code == 403
    assert reader.get("/api/v1/inbox").status_code == 200
    assert Client().get("/api/v1/inbox").status_code == 401


def test_another_entitys_key_sees_nothing_and_gets_404_on_our_rows(entity):
    # given an invoice received by our entity
    ours = _client(entity, ["inbox:write"])
    received_id = _upload(ours, "a.xml", cii_bytes()).json()["items"][0]["received"]["id"]
    # when another entity's key looks
    other = _client(make_entity(name="Tierce SARL", siren="443061841"), ["inbox:read"])
    # then its list is empty and our row does not exist for it
    assert other.get("/api/v1/inbox").json()["items"] == []
    assert other.get(f"/api/v1/inbox/{received_id}").status_code == 404
    assert other.get(f"/api/v1/inbox/{received_id}/original").status_code == 404


def test_the_original_is_downloaded_byte_for_byte(entity):
    client = _client(entity, ["inbox:write"])
    content = ubl_bytes()
    received_id = _upload(client, "u.xml", content).json()["items"][0]["received"]["id"]
    response = client.get(f"/api/v1/inbox/{received_id}/original")
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == "application/xml"


def test_an_oversize_body_is_refused_before_it_is_read(entity, settings):
    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 1000
    client = _client(entity, ["inbox:write"])
    response = _upload(client, "big.xml", b"<a>" + b" " * 200_000 + b"</a>")
    assert response.status_code == 413
    assert response.json()["code"] == "inbox_file_too_large"

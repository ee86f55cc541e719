"""The inbox pages: upload with the test client, list, detail with findings, decisions by role."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturier.accounts.roles import Role
from facturier.accounts.services import membership_set
from facturier.inbox.models import ReceivedInvoice, ReceivedStatus
from facturier.inbox.services import einvoice_import
from tests.inbox.builders import cii_bytes, ubl_bytes, zip_bytes


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


def _upload(client, name: str, content: bytes, follow: bool = True):
    return client.post(
        reverse("web:inbox-upload"), {"file": SimpleUploadedFile(name, content)}, follow=follow
    )


def test_uploading_an_invoice_leads_to_its_page_with_header_and_findings(owner_client, entity):
    # when the owner uploads a CII invoice
    response = _upload(owner_client, "FA-42.xml", cii_bytes())
    # then they land on its page, which shows the supplier, the amount and the findings
    received = ReceivedInvoice.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:inbox-detail", kwargs={"pk": received.pk})
    page = response.content.decode()
    assert "Fournitures Durand SA" in page
    assert "FA-2026-0042" in page
    assert "VALIDATION-NOT-RUN" in page
    assert received.received_by is not None
    # and the list shows it
    listing = owner_client.get(reverse("web:inbox-list")).content.decode()
    assert "FA-2026-0042" in listing


def test_a_refused_upload_says_why_and_stores_nothing(owner_client):
    response = _upload(owner_client, "evil.xml", b'<!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', follow=False)
    assert response.status_code == 422
    assert "DOCTYPE" in response.content.decode()
    assert not ReceivedInvoice.objects.exists()


def test_a_zip_upload_shows_one_line_per_member(owner_client):
    archive = zip_bytes({"a.xml": cii_bytes(number="W-1"), "notes.txt": b"hello"})
    response = _upload(owner_client, "batch.zip", archive)
    page = response.content.decode()
    assert response.status_code == 200
    assert "W-1" in page
    assert "notes.txt" in page
    assert ReceivedInvoice.objects.count() == 1


def test_the_original_downloads_byte_for_byte(owner_client, entity, owner):
    content = ubl_bytes()
    received = einvoice_import(entity=entity, by=owner, filename="u.xml", content=content).records[0]
    response = owner_client.get(reverse("web:inbox-original", kwargs={"pk": received.pk}))
    assert response.content == content


def test_an_outsider_cannot_see_our_received_invoices(client, outsider, entity, owner):
    received = einvoice_import(entity=entity, by=owner, filename="a.xml", content=cii_bytes()).records[0]
    client.force_login(outsider)
    assert client.get(reverse("web:inbox-detail", kwargs={"pk": received.pk})).status_code == 404
    assert client.get(reverse("web:inbox-original", kwargs={"pk": received.pk})).status_code == 404
    assert "FA-2026-0042" not in client.get(reverse("web:inbox-list")).content.decode()


def test_an_auditor_can_read_but_neither_import_nor_decide(client, entity, owner):
    received = einvoice_import(entity=entity, by=owner, filename="a.xml", content=cii_bytes()).records[0]
    auditor = get_user_model().objects.create_user("audit", "a@example.fr", "pw-audit-123")
    membership_set(entity=entity, user=auditor, role=Role.AUDITOR, by=owner)
    client.force_login(auditor)
    assert client.get(reverse("web:inbox-detail", kwargs={"pk": received.pk})).status_code == 200
    assert _upload(client, "b.xml", ubl_bytes(number="B"), follow=False).status_code == 404
    decide = reverse("web:inbox-decide", kwargs={"pk": received.pk})
    assert client.post(decide, {"decision": "accept"}).status_code == 404
    received.refresh_from_db()
    assert received.status == ReceivedStatus.NEEDS_REVIEW


def test_the_owner_rejects_with_a_reason(owner_client, entity, owner):
    received = einvoice_import(entity=entity, by=owner, filename="a.xml", content=cii_bytes()).records[0]
    decide = reverse("web:inbox-decide", kwargs={"pk": received.pk})
    owner_client.post(decide, {"decision": "reject", "reason": "Prix non conforme au devis"})
    received.refresh_from_db()
    assert received.status == ReceivedStatus.REJECTED
    assert received.decision_reason == "Prix non conforme au devis"


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(reverse("web:inbox-list"))
    assert response.status_code == 302
    assert reverse("web:login") in response["Location"]


def test_an_oversize_upload_is_refused_from_its_declared_length(owner_client, settings):
    # given a 1 KB limit
    settings.FACTURIER_INBOX_MAX_FILE_BYTES = 1000
    # when a 200 KB file is posted, then 413 comes back before the body is read
    response = _upload(owner_client, "big.xml", b"<a>" + b" " * 200_000 + b"</a>", follow=False)
    assert response.status_code == 413
    # and a file just over the limit is refused by the import itself
    near = _upload(owner_client, "near.xml", cii_bytes(), follow=False)
    assert near.status_code == 413
    assert not ReceivedInvoice.objects.exists()


def test_the_upload_form_still_requires_the_csrf_token(owner, entity):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = _upload(client, "a.xml", cii_bytes(), follow=False)
    assert response.status_code == 403
    assert not ReceivedInvoice.objects.exists()

"""What was issued is stored: the XML validated at issue is the one stored, downloaded and sealed."""

import hashlib
import secrets

import pytest
from django.test import Client

from facturier.accounts.models import ApiKey
from facturier.audit.verify import verify_all
from facturier.documents.models import FileKind, StoredFile
from facturier.invoicing.sealing import sealed_content
from facturier.invoicing.services import invoice_issue
from tests.audit.test_verify import _bypass_triggers_and_run, _pk
from tests.invoicing.einvoice_cases import installed_rules  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("installed_rules")


def _api(entity) -> Client:
    prefix = secrets.token_hex(4)
    secret = f"fk_{prefix}_{secrets.token_urlsafe(16)}"
    ApiKey.objects.create(entity=entity, name="t", prefix=prefix, digest=ApiKey.digest_of(secret),
                          scopes=["invoices:read"])  # fmt: skip
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_downloaded_xml_is_byte_identical_to_the_one_validated_at_issue_and_sealed(
    syntax, entity, draft_invoice, owner, validated_xml
):
    # given a company issuing in CII or in UBL
    entity.einvoice_syntax = syntax
    entity.save()
    # when an invoice is issued (its XML validated) and then downloaded through the API
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    downloaded = _api(entity).get(f"/api/v1/invoices/{invoice.pk}/{syntax}")
    assert downloaded.status_code == 200
    # then the downloaded bytes are exactly those the rules checked, stored as validated
    assert downloaded.content == validated_xml[0]
    stored = StoredFile.objects.get(document=invoice, kind=syntax)
    assert stored.validated is True
    assert (stored.sha256, stored.size) == (
        hashlib.sha256(downloaded.content).hexdigest(),
        len(downloaded.content),
    )
    # and their hash is part of the sealed content, whose chain verifies
    assert sealed_content(invoice)["stored_files"][syntax] == stored.sha256
    assert verify_all() == []


def test_a_stored_file_row_changed_in_the_database_breaks_the_documents_seal(entity, draft_invoice, owner):
    # given an issued invoice whose CII is stored and sealed
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    # when someone rewrites the recorded hash of its CII directly in the database (guards disabled)
    cii = StoredFile.objects.get(document=invoice, kind=FileKind.CII)
    _bypass_triggers_and_run(
        "UPDATE documents_storedfile SET sha256 = %s WHERE id = %s", ["0" * 64, _pk(cii.pk)]
    )
    # then audit verify names the document's seal (and the file no longer matching its row)
    breaches = verify_all()
    assert any(breach.check == "document-seal" and invoice.number in breach.record for breach in breaches)
    assert any(breach.check == "stored-file" and cii.name in breach.record for breach in breaches)


def test_the_validation_report_of_an_issued_invoice_checks_the_stored_xml(
    entity, draft_invoice, owner, validated_xml
):
    # given an issued invoice (its XML validated once at issue)
    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    stored = StoredFile.objects.get(document=invoice, kind=FileKind.CII)
    validated_xml.clear()
    # when its validation report is asked through the API
    body = _api(entity).get(f"/api/v1/invoices/{invoice.pk}/validation").json()
    # then the rules ran on the stored bytes
    assert body["is_valid"] is True
    assert [hashlib.sha256(data).hexdigest() for data in validated_xml] == [stored.sha256]


def test_a_stored_file_row_cannot_be_updated_in_the_database(draft_invoice, owner):
    from django.db import IntegrityError, transaction

    invoice = invoice_issue(invoice=draft_invoice, by=owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        StoredFile.objects.filter(document=invoice, kind=FileKind.CII).update(sha256="0" * 64)

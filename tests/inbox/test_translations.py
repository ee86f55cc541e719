"""Received-invoice messages in the reader's language: the same stored findings and the same refusals
read in French (the default) and in English."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from facturier.inbox.services import einvoice_import
from tests.inbox.builders import cii_bytes, pdf_with_attachments, zip_bytes

NOT_INSTALLED = {
    "fr": "La validation n'a pas pu s'exécuter : les règles officielles nécessaires ne sont pas installées. "
    "Un administrateur les installe avec : facturier conformance install",
    "en": "Validation could not run: the official rules it needs are not installed. "
    "An administrator installs them with: facturier conformance install",
}
OTHER_BUYER = {"fr": "n'est pas cette société", "en": "is not this company"}
EMPTY_ZIP = {
    "fr": "Fichier refusé : L&#x27;archive zip ne contient aucun fichier.",
    "en": "File refused: The zip archive holds no file.",
}
NO_XML = {
    "fr": "Ce PDF ne contient aucun XML de facture intégré",
    "en": "This PDF carries no embedded invoice XML",
}


@pytest.fixture
def owner_client(client, owner, entity):
    client.force_login(owner)
    return client


def _in(client, language: str):
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_received_invoice_says_in_the_readers_language_that_validation_could_not_run(
    owner_client, entity, owner, language
):
    # given an invoice received (with no official rules installed) for another buyer than this company
    received = einvoice_import(
        entity=entity, by=owner, filename="x.xml", content=cii_bytes(buyer_siren="443061841")
    ).records[0]
    # when its page is read in French or in English
    page = _in(owner_client, language).get(reverse("web:inbox-detail", kwargs={"pk": received.pk}))
    # then the stored findings are shown in that language
    text = page.content.decode()
    assert NOT_INSTALLED[language].replace("'", "&#x27;") in text
    assert OTHER_BUYER[language].replace("'", "&#x27;") in text
    # and the record keeps the English text for the API and the logs
    assert received.findings[0]["message"] == NOT_INSTALLED["en"]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_refused_upload_says_why_in_the_readers_language(owner_client, language):
    client = _in(owner_client, language)
    # when an empty zip is uploaded, then the refusal is in the reader's language
    empty = client.post(reverse("web:inbox-upload"), {"file": SimpleUploadedFile("empty.zip", zip_bytes({}))})
    assert EMPTY_ZIP[language] in empty.content.decode()
    # and so is a PDF member of a zip that is not a Factur-X invoice, on the result page
    scan = pdf_with_attachments({"photo.png": b"\x89PNG"})
    archive = zip_bytes({"scan.pdf": scan, "a.xml": cii_bytes()})
    result = client.post(reverse("web:inbox-upload"), {"file": SimpleUploadedFile("batch.zip", archive)})
    assert NO_XML[language] in result.content.decode()

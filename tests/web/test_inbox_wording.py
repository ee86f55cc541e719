"""The inbox pages name a received invoice's type and its findings' severity, and write dates day first."""

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.inbox.builders import cii_bytes


def test_received_invoice_page_names_its_type_and_findings(owner_client, settings, tmp_path):
    # given a supplier invoice (type 380) imported while the official rules are not installed
    settings.FACTURIER_INBOX_ROOT = tmp_path / "inbox"
    settings.FACTURIER_CONFORMANCE_DIR = tmp_path / "no-conformance"
    upload = SimpleUploadedFile("FA-42.xml", cii_bytes())
    response = owner_client.post(reverse("web:inbox-upload"), {"file": upload}, follow=True)
    page = re.sub(r"[\u202f\xa0]", " ", response.content.decode())
    # then its type is named, never "380", and the findings' severity is in French
    assert re.search(r'id="received-type">Facture<', page)
    assert not re.search(r"<dd>\s*380\s*</dd>", page)
    assert not re.search(r"<td>(warning|error|fatal|info)</td>", page)
    # and the list writes its dates day first
    listing = owner_client.get(reverse("web:inbox-list")).content.decode()
    assert re.search(r"\d{2}/\d{2}/\d{4}", listing)

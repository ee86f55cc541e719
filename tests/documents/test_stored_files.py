"""Issued files are kept byte for byte: downloads never re-render, audit verify watches the bytes."""

import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command

from facturier.audit.verify import verify_all
from facturier.documents.files import document_file
from facturier.documents.models import FileKind, StoredFile, StoredFileImmutable
from facturier.documents.stored import StoredFileConflict, store_file
from facturier.documents.sweeper import documents_missing_pdf, render_missing_pdfs
from facturier.domain.facturx import extract_invoice_xml
from facturier.invoicing.services import LineData
from tests.documents.conftest import issue
from tests.documents.pdftext import image_count, text_of
from tests.web.test_company import png_bytes


@pytest.fixture
def issued_dir(settings, tmp_path) -> Path:
    """The issued storage of this test, in a folder it can tamper with."""
    folder = tmp_path / "files"
    settings.STORAGES = {
        **settings.STORAGES,
        "issued": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder)},
        },
    }
    return folder


def test_issuing_stores_the_xml_and_the_commit_queues_the_pdf(
    issued_dir, entity, customer, product, owner, django_capture_on_commit_callbacks
):
    # when an invoice is issued and its transaction commits (tasks run at once in tests)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = issue(entity, customer, owner, [LineData(product=product, quantity=1)])
    # then its CII, UBL, PEPPOL UBL (the buyer has a SIREN) and Factur-X PDF are stored once each,
    # the PDF embedding the stored CII byte for byte
    kinds = sorted(StoredFile.objects.filter(document=invoice).values_list("kind", flat=True))
    assert kinds == ["cii", "facturx", "peppol", "ubl"]
    cii = StoredFile.objects.get(document=invoice, kind=FileKind.CII)
    pdf = StoredFile.objects.get(document=invoice, kind=FileKind.FACTURX)
    assert (issued_dir / cii.name).is_file()
    assert (issued_dir / pdf.name).is_file()
    embedded = extract_invoice_xml((issued_dir / pdf.name).read_bytes())[1]
    assert embedded == (issued_dir / cii.name).read_bytes()
    assert not documents_missing_pdf().exists()


def test_the_pdf_of_an_issued_invoice_does_not_change_with_later_branding(
    issued_dir, client, owner, entity, issued_invoice, settings, tmp_path
):
    owner_client = client
    owner_client.force_login(owner)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    url = f"/documents/{issued_invoice.pk}/download/pdf/"
    # given the PDF of an issued invoice, downloaded once
    first = owner_client.get(url)
    assert first.status_code == 200, first.content[:200]
    # when the company changes its logo, colour and footer
    entity.brand_color = "#aa0000"
    entity.footer_text = "Nouveau pied de page, nouvelle adresse"
    entity.logo.save("logo.png", ContentFile(png_bytes()))
    entity.save()
    # then the invoice's PDF is byte-identical (the stored one), here and through the exports
    assert owner_client.get(url).content == first.content
    issued_invoice.refresh_from_db()
    assert document_file(issued_invoice, "pdf")[0] == first.content
    assert StoredFile.objects.filter(document=issued_invoice, kind=FileKind.FACTURX).count() == 1


def test_audit_verify_names_a_stored_file_modified_on_disk(issued_dir, entity, issued_invoice):
    # given an issued invoice whose files are stored and whose PDF was rendered
    render_missing_pdfs(inline=True)
    assert verify_all() == []
    # when its CII is modified on disk
    cii = StoredFile.objects.get(document=issued_invoice, kind=FileKind.CII)
    path = issued_dir / cii.name
    path.write_bytes(
        path.read_bytes().replace(b"</rsm:CrossIndustryInvoice>", b"<!-- x --></rsm:CrossIndustryInvoice>")
    )
    # then `facturier audit verify` fails and names that file
    errors = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("audit_verify", stderr=errors)
    assert exit_.value.code == 1
    assert cii.name in errors.getvalue()
    assert issued_invoice.number in errors.getvalue()


def test_audit_verify_names_a_deleted_pdf_and_one_whose_embedded_xml_is_not_the_sealed_one(
    issued_dir, entity, issued_invoice
):
    render_missing_pdfs(inline=True)
    pdf = StoredFile.objects.get(document=issued_invoice, kind=FileKind.FACTURX)
    (issued_dir / pdf.name).unlink()
    assert [b.reason for b in verify_all()] == ["the file is missing"]


def test_stored_files_are_write_once(issued_dir, issued_invoice):
    cii = StoredFile.objects.get(document=issued_invoice, kind=FileKind.CII)
    original = (issued_dir / cii.name).read_bytes()
    # other bytes for the same document and kind are refused, the file stays as it was
    with pytest.raises(StoredFileConflict):
        store_file(document=issued_invoice, kind=FileKind.CII, content=b"<other/>")
    assert (issued_dir / cii.name).read_bytes() == original
    # the same bytes again are the same row (a retried task)
    assert store_file(document=issued_invoice, kind=FileKind.CII, content=original).pk == cii.pk
    # and a row is never updated
    cii.size = 1
    with pytest.raises(StoredFileImmutable):
        cii.save()


def test_the_sweeper_renders_each_missing_pdf_once(issued_dir, issued_invoice):
    # given an issued invoice whose rendering task never ran
    assert list(documents_missing_pdf()) == [issued_invoice]
    # when the sweep runs twice
    out = StringIO()
    call_command("documents_sweep", "--inline", stdout=out)
    call_command("documents_sweep", "--inline", stdout=out)
    # then the first one rendered it, the second found nothing to do
    assert out.getvalue().splitlines() == ["1 missing PDF(s) rendered.", "0 missing PDF(s) rendered."]
    stored = StoredFile.objects.get(document=issued_invoice, kind=FileKind.FACTURX)
    assert hashlib.sha256((issued_dir / stored.name).read_bytes()).hexdigest() == stored.sha256


def test_a_draft_pdf_is_a_preview_and_stores_nothing(issued_dir, draft_invoice):
    content, content_type, _name = document_file(draft_invoice, "pdf")
    assert (content_type, content[:4]) == ("application/pdf", b"%PDF")
    assert not StoredFile.objects.exists()
    assert not issued_dir.exists() or storages["issued"].listdir("") == ([], [])


def test_a_pdf_rendered_after_a_branding_change_prints_the_branding_of_the_issue(
    issued_dir, entity, customer, product, owner, settings, tmp_path
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # given a company with a logo and a footer that issues an invoice (its PDF task has not run yet)
    entity.footer_text = "Pied de page du jour d'émission"
    entity.logo.save("logo.png", ContentFile(png_bytes()))
    entity.save()
    invoice = issue(entity, customer, owner, [LineData(product=product, quantity=1)])
    # when the company removes its logo and changes its footer before the PDF is rendered
    entity.logo.delete()
    entity.footer_text = "Nouveau pied de page"
    entity.brand_color = "#aa0000"
    entity.save()
    invoice.refresh_from_db()
    pdf, _type, _name = document_file(invoice, "pdf")
    # then the PDF prints the logo and footer the invoice was issued with
    text = text_of(pdf)
    assert "Pied de page du jour d'émission" in text
    assert "Nouveau pied de page" not in text
    assert image_count(pdf) >= 1
    # and the logo is kept with the invoice's files, sealed with them
    logo = StoredFile.objects.get(document=invoice, kind=FileKind.LOGO)
    assert (issued_dir / logo.name).read_bytes() == png_bytes()
    assert verify_all() == []


def test_a_document_issued_before_files_were_stored_gets_its_pdf_once_and_its_xml_on_request(
    issued_dir, issued_invoice
):
    # given an invoice issued before this version: no stored files at all
    StoredFile.objects.filter(document=issued_invoice).delete()
    # when the sweeper renders its PDF
    assert render_missing_pdfs(inline=True) == 1
    # then its PDF is stored once and served from then on, and its XML is still served (serialized)
    pdf = StoredFile.objects.get(document=issued_invoice, kind=FileKind.FACTURX)
    assert document_file(issued_invoice, "pdf")[0] == (issued_dir / pdf.name).read_bytes()
    assert document_file(issued_invoice, "cii")[0].startswith(b"<?xml")
    assert list(StoredFile.objects.filter(document=issued_invoice).values_list("kind", flat=True)) == [
        "facturx"
    ]

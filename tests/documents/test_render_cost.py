"""What keeps a rendering cheap changes nothing printed: the one-page guess, the kept logos and amounts."""

from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from facturier.documents import branding, engine
from facturier.documents.formatting import LOCALES, Formatter
from facturier.documents.issued import render_issued_pdf
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.render import ONE_PAGE_LINES, render_pdf
from facturier.documents.stored import read_file
from facturier.domain.facturx import extract_invoice_xml, inspect_pdf
from facturier.invoicing.services import LineData
from tests.documents.conftest import issue
from tests.documents.pdftext import image_count, pages_text
from tests.web.test_company import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def logo_entity_invoice(entity, customer, product, owner, settings, tmp_path):
    """An invoice issued by a company with a logo (stored at issue with its CII)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "issued": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }  # fmt: skip
    entity.logo.save("logo.png", ContentFile(png_bytes()))
    entity.save()
    return issue(entity, customer, owner, [LineData(product=product, quantity=Decimal(1))])


@pytest.fixture
def compilations(monkeypatch):
    """The data of each Typst compilation of the tests' documents."""
    seen: list[dict] = []
    run = engine._run

    def spy(template, data, *args, **kwargs):
        seen.append(data)
        return run(template, data, *args, **kwargs)

    monkeypatch.setattr(engine, "_run", spy)
    return seen


def _footer_numbers(pdf: bytes) -> list[str]:
    return [next(line for line in page.splitlines() if line.startswith("Page")) for page in pages_text(pdf)]


def test_a_one_page_invoice_is_compiled_once_and_numbered_1_of_1(make_issued, product, compilations):
    pdf = render_pdf(make_issued([LineData(product=product, quantity=Decimal(2))]))
    assert engine.page_count(pdf) == 1
    assert [page.replace("\u202f", " ") for page in _footer_numbers(pdf)] == ["Page 1 / 1"]
    assert [data.get("pages") for data in compilations] == [1]


def test_a_short_invoice_that_runs_over_two_pages_is_compiled_again_with_the_real_count(
    make_issued, compilations
):
    # given as many lines as are guessed to fit on a page, whose descriptions fill more than a page
    words = " ".join(f"étape {n} du chantier" for n in range(25))[:480]
    lines = [LineData(description=f"Lot {n} : {words}", quantity=Decimal(1), unit_price=Decimal(10))
             for n in range(ONE_PAGE_LINES)]  # fmt: skip
    pdf = render_pdf(make_issued(lines))
    # then the guess was wrong, the document was compiled again, and every page has the real count
    pages = engine.page_count(pdf)
    assert pages is not None
    assert pages >= 2
    numbers = [page.replace("\u202f", " ") for page in _footer_numbers(pdf)]
    assert numbers == [f"Page {n} / {pages}" for n in range(1, pages + 1)]
    assert [data.get("pages") for data in compilations] == [1, None]


def test_page_count_reads_the_page_tree():
    assert engine.page_count(b"%PDF-1.7\n1 0 obj\n<</Type/Pages/Count 3/Kids[4 0 R]>>") == 3
    assert engine.page_count(b"<< /Type /Pages /Count 1 /Kids [2 0 R] >> << /Type /Pages /Count 12 >>") == 12
    assert engine.page_count(b"not a pdf") is None


def test_a_stored_logo_is_read_once_for_every_invoice_that_prints_it(
    entity, customer, product, owner, settings, tmp_path, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "issued": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }  # fmt: skip
    entity.logo.save("logo.png", ContentFile(png_bytes()))
    entity.save()
    first, second = (issue(entity, customer, owner, [LineData(product=product, quantity=n)]) for n in (1, 2))
    reads: list[str] = []
    read = branding.read_stored
    monkeypatch.setattr(branding, "read_stored", lambda name: reads.append(name) or read(name))
    monkeypatch.setattr(branding, "_logos", type(branding._logos)())
    pdfs = [render_pdf(first), render_pdf(second)]
    assert all(image_count(pdf) >= 1 for pdf in pdfs)
    assert len(reads) == 1
    assert branding.document_logo(second) == (png_bytes(), "png")


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("value", ["0", "1.5", "1.50", "1234567.891", "-42.10", "0.005"])
def test_formatted_values_are_babels_whatever_was_formatted_before(language, value):
    formatter = Formatter(language, "EUR")
    for _ in range(2):  # the second time from the cache
        assert formatter.money(Decimal(value)) == format_currency(
            Decimal(value), "EUR", locale=LOCALES[language]
        )
        assert formatter.number(value) == format_decimal(
            Decimal(value), format="#,##0.######", locale=LOCALES[language]
        )
    assert Formatter(language, "USD").money(value) == format_currency(
        Decimal(value), "USD", locale=LOCALES[language]
    )


@pytest.mark.parametrize("fixture", ["issued_invoice", "logo_entity_invoice"])
def test_rendering_a_missing_pdf_reads_the_stored_files_in_one_query_and_embeds_the_stored_cii(
    fixture, request
):
    # given an issued invoice (with or without a logo) whose PDF was not rendered yet
    document = request.getfixturevalue(fixture)
    stored_cii = read_file(StoredFile.objects.get(document=document, kind=FileKind.CII))
    # when ensure_pdf's rendering runs
    with CaptureQueriesContext(connection) as queries:
        pdf = render_issued_pdf(document)
    # then the stored PDF, CII and logo rows were read in one query
    table = StoredFile._meta.db_table
    assert len([q for q in queries.captured_queries if table in q["sql"]]) == 1
    # and the PDF embeds the stored CII byte for byte, with the Factur-X XMP, as render_pdf makes it
    assert extract_invoice_xml(pdf) == ("factur-x.xml", stored_cii)
    structure = inspect_pdf(pdf)
    assert structure.problems(conformance_level="EN 16931") == []
    assert structure.fx == {
        "DocumentType": "INVOICE", "DocumentFileName": "factur-x.xml", "Version": "1.0",
        "ConformanceLevel": "EN 16931",
    }  # fmt: skip
    assert pdf == render_pdf(document, xml=stored_cii)
    if fixture == "logo_entity_invoice":  # the logo stored at issue is printed
        assert image_count(pdf) >= 1

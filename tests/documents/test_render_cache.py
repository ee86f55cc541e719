"""The Typst state reused across renderings never changes a PDF, nor mixes two documents' content."""

import io
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pikepdf

from facturier.documents import engine
from facturier.documents.issued import issued_cii
from facturier.documents.render import render_pdf
from facturier.domain.facturx import extract_invoice_xml, inspect_pdf
from facturier.invoicing.services import LineData
from tests.documents.pdftext import text_of


def _xmp(pdf: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return bytes(document.Root.Metadata.read_bytes())


def _fresh_render(document, monkeypatch) -> bytes:
    """The PDF from a new workspace: a new Typst compiler with empty caches, fonts loaded again."""
    with monkeypatch.context() as patch:
        patch.setattr(engine, "_current", None)
        fresh = render_pdf(document, xml=issued_cii(document))
        assert engine._current is not None
    return fresh


def test_a_render_with_warm_caches_is_the_same_pdf_as_one_from_a_fresh_compiler(
    issued_invoice, make_issued, product, monkeypatch
):
    # given the process's compiler warm from other documents (one with other lines rendered just before)
    other = make_issued([LineData(product=product, quantity=Decimal("7"), description="Autre chose")])
    render_pdf(issued_invoice, xml=issued_cii(issued_invoice))
    render_pdf(other, xml=issued_cii(other))
    cached = render_pdf(issued_invoice, xml=issued_cii(issued_invoice))
    # when the invoice is rendered by a brand-new compiler
    fresh = _fresh_render(issued_invoice, monkeypatch)
    # then both carry the same XML, the same XMP (PDF/A and fx values), the same text: the same file
    assert (
        extract_invoice_xml(cached)
        == extract_invoice_xml(fresh)
        == ("factur-x.xml", issued_cii(issued_invoice))
    )
    assert _xmp(cached) == _xmp(fresh)
    assert text_of(cached) == text_of(fresh)
    assert inspect_pdf(cached) == inspect_pdf(fresh)
    assert inspect_pdf(cached).problems(conformance_level="EN 16931") == []
    assert cached == fresh


def _compile_args(document):
    """What ``render_pdf`` hands to the engine for an issued document (read from the database here, since
    threads of a test cannot share its in-memory SQLite database)."""
    from facturier.documents import render
    from facturier.documents.branding import document_branding
    from facturier.documents.context import build_context
    from facturier.domain.formats import detect_and_parse

    xml = issued_cii(document)
    invoice = detect_and_parse(xml)
    branding = document_branding(document)
    qr = render._epc_qr(document, invoice)
    data = build_context(document, invoice, branding=branding, qr=qr is not None, logo=None)
    attachment = engine.Attachment(name="factur-x.xml", content=xml.decode())
    return data, (attachment,), ({} if qr is None else {"qr.svg": qr}), render._timestamp(document)


def _compile(args) -> bytes:
    data, attachments, files, timestamp = args
    return engine.compile_pdf(
        "document.typ", data, attachments=attachments, extra_files=files, timestamp=timestamp
    )


def test_documents_rendered_at_once_in_threads_each_get_their_own_content(make_issued, product):
    # given invoices that differ in their lines and numbers
    invoices = [
        make_issued([LineData(product=product, quantity=Decimal(n + 1), description=f"Article numéro {n}")])
        for n in range(4)
    ]
    args = {invoice.pk: _compile_args(invoice) for invoice in invoices}
    expected = {pk: _compile(value) for pk, value in args.items()}
    # when threads render them all at the same time, several times over
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda d: (d, _compile(args[d.pk])), invoices * 3))
    # then each PDF is its own document: its own XML, its own number and lines, byte for byte as alone
    for invoice, pdf in results:
        assert extract_invoice_xml(pdf)[1] == issued_cii(invoice)
        text = text_of(pdf)
        assert invoice.number in text
        assert f"Article numéro {invoices.index(invoice)}" in text
        assert pdf == expected[invoice.pk]

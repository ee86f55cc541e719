"""Issued invoices leave as Factur-X: PDF/A-3B, factur-x.xml embedded, fx XMP, fonts embedded."""

import io

import facturx
import pikepdf
from lxml import etree

from facturier.documents.render import render_pdf
from facturier.domain.facturx import FX_NS, extract_invoice_xml, inspect_pdf
from facturier.invoicing.einvoice import document_xml
from tests.documents.pdftext import text_of


def test_an_issued_invoice_renders_as_a_structurally_valid_factur_x_pdf_a3b(issued_invoice):
    # when the issued invoice is rendered
    pdf = render_pdf(issued_invoice)
    # then it claims PDF/A-3B, has an sRGB OutputIntent, the XML in /AF as Data, fx XMP, fonts embedded
    structure = inspect_pdf(pdf)
    assert structure.problems(conformance_level="EN 16931") == []
    assert (structure.pdfa_part, structure.pdfa_conformance) == ("3", "B")
    assert structure.associated_files == {"factur-x.xml": "/Data"}
    assert structure.fx["DocumentType"] == "INVOICE"
    assert structure.fx["Version"] == "1.0"
    assert structure.fonts
    assert structure.unembedded_fonts == []


def test_the_output_intent_is_srgb_and_the_metadata_is_one_uncompressed_packet(issued_invoice):
    pdf = render_pdf(issued_invoice)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        (intent,) = document.Root.OutputIntents
        assert intent.S == "/GTS_PDFA1"
        assert "sRGB" in str(intent.OutputConditionIdentifier) + str(intent.get("/Info", ""))
        assert intent.DestOutputProfile.N == 3
        assert "/Filter" not in document.Root.Metadata.stream_dict
        assert document.Root.Metadata.read_bytes().count(b"<rdf:RDF") == 1
        # a second XMP reader (pikepdf's) agrees on the PDF/A claim and the Factur-X values
        metadata = document.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False)
        assert metadata.pdfa_status == "3B"
        assert metadata.get(f"{{{FX_NS}}}ConformanceLevel") == "EN 16931"
        assert metadata.get(f"{{{FX_NS}}}DocumentFileName") == "factur-x.xml"
        # and qpdf finds no syntax problem in the file we rewrote
        assert document.check_pdf_syntax() == []


def test_the_factur_x_package_extracts_exactly_the_xml_we_embedded_and_it_passes_the_xsd(issued_invoice):
    # given the CII of the invoice
    expected = document_xml(issued_invoice, syntax="cii", profile="EN16931")
    # when the reference Factur-X library reads the PDF
    filename, xml = facturx.get_facturx_xml_from_pdf(render_pdf(issued_invoice), check_xsd=False)
    # then it finds our XML byte for byte, and the XML passes the Factur-X EN 16931 XSD
    assert filename == "factur-x.xml"
    assert xml == expected
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"


def test_our_own_extraction_agrees_with_the_reference_library(issued_invoice):
    pdf = render_pdf(issued_invoice)
    assert extract_invoice_xml(pdf) == (
        "factur-x.xml",
        facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)[1],
    )


def test_an_entity_that_chose_extended_issues_extended_factur_x(issued_invoice):
    # given an entity issuing in the EXTENDED profile
    issued_invoice.entity.facturx_profile = "EXTENDED"
    issued_invoice.entity.save(update_fields=["facturx_profile"])
    # when rendered
    pdf = render_pdf(issued_invoice)
    # then the XMP and the XML both say EXTENDED
    assert inspect_pdf(pdf).problems(conformance_level="EXTENDED") == []
    _name, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert facturx.get_level(etree.fromstring(xml)) == "extended"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="extended") is True


def test_a_credit_note_is_a_factur_x_too(credit_note):
    pdf = render_pdf(credit_note)
    assert inspect_pdf(pdf).problems(conformance_level="EN 16931") == []
    _name, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    assert b">381<" in xml
    assert "Avoir" in text_of(pdf)


def test_quotes_and_draft_invoices_are_plain_pdfs_without_xml(
    entity, customer, product, owner, draft_invoice
):
    from decimal import Decimal

    from facturier.invoicing.services import LineData, document_create

    # given a quote and a draft invoice
    quote = document_create(entity=entity, kind="quote", customer=customer, by=owner,
                            lines=[LineData(product=product, quantity=Decimal("2"))])  # fmt: skip
    for document, title in ((quote, "Devis"), (draft_invoice, "Facture")):
        # when rendered
        pdf = render_pdf(document)
        structure = inspect_pdf(pdf)
        # then they are PDF/A without any attachment, and the draft says so
        assert structure.associated_files == {}
        assert structure.unembedded_fonts == []
        assert title in text_of(pdf)
    assert "BROUILLON" in text_of(render_pdf(draft_invoice))
    assert "Bon pour accord" in text_of(render_pdf(quote))


def test_rendering_an_issued_invoice_twice_gives_the_same_bytes(issued_invoice):
    # the timestamp is the issue moment and nothing random is written: an archived copy can be
    # checked against a fresh rendering by its hash
    assert render_pdf(issued_invoice) == render_pdf(issued_invoice)

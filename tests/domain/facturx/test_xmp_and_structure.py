"""The Factur-X XMP merge, structural checks and XML extraction, on small PDFs made with Typst."""

import datetime as dt
import io
import json

import facturx
import pikepdf
import pytest
import typst
from lxml import etree

from facturier.domain.facturx import (
    FacturXError,
    FacturXMetadata,
    add_facturx_metadata,
    extract_invoice_xml,
    inspect_pdf,
    merge_facturx_xmp,
)
from facturier.domain.facturx.incremental import find_metadata
from facturier.domain.facturx.xmp import add_facturx_metadata_with_pikepdf

XML = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'
)
SOURCE = b"""
#set text(font: "Libertinus Serif")
#for (name, body) in json(bytes(sys.inputs.files)) {
  pdf.attach(name, bytes(body), relationship: "data", mime-type: "text/xml", description: name)
}
Invoice
"""


def typst_pdf(files: dict[str, bytes], *, standard: str | None = "a-3b") -> bytes:
    payload = json.dumps({name: body.decode() for name, body in files.items()})
    return typst.compile(
        SOURCE,
        sys_inputs={"files": payload},
        pdf_standards=standard or [],
        timestamp=dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC),
    )


def test_a_typst_pdf_a3_becomes_a_structurally_valid_factur_x_once_fx_metadata_is_added():
    # given a PDF/A-3B rendered by Typst with factur-x.xml attached
    plain = typst_pdf({"factur-x.xml": XML})
    assert "XMP has no fx:DocumentType" in inspect_pdf(plain).problems()
    # when the Factur-X XMP is merged in
    pdf = add_facturx_metadata(plain, FacturXMetadata.for_profile("EN16931"))
    # then every structural check passes
    structure = inspect_pdf(pdf)
    assert structure.problems(conformance_level="EN 16931") == []
    assert structure.fx == {
        "DocumentType": "INVOICE", "DocumentFileName": "factur-x.xml", "Version": "1.0",
        "ConformanceLevel": "EN 16931",
    }  # fmt: skip
    assert (structure.pdfa_part, structure.pdfa_conformance) == ("3", "B")
    assert structure.associated_files == {"factur-x.xml": "/Data"}
    assert structure.fonts
    assert all(structure.fonts.values())


def test_the_merged_xmp_keeps_one_extension_schema_list_and_typst_s_own_schemas():
    # given Typst's XMP packet
    plain = typst_pdf({"factur-x.xml": XML})
    with pikepdf.open(io.BytesIO(plain)) as document:
        xmp = document.Root.Metadata.read_bytes()
    # when merged twice (idempotent)
    merged = merge_facturx_xmp(
        merge_facturx_xmp(xmp, FacturXMetadata.for_profile("EXTENDED")),
        FacturXMetadata.for_profile("EXTENDED"),
    )
    # then there is one rdf:RDF, one pdfaExtension:schemas, the fx schema once, next to Typst's xmpMM/pdf schemas
    root = etree.fromstring(merged)
    ns = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "pdfaExtension": "http://www.aiim.org/pdfa/ns/extension/",
        "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
        "fx": "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#",
    }
    assert len(root.findall(".//rdf:RDF", ns)) == 1
    assert len(root.findall(".//pdfaExtension:schemas", ns)) == 1
    prefixes = [p.text for p in root.findall(".//pdfaSchema:prefix", ns)]
    assert prefixes.count("fx") == 1
    assert "xmpMM" in prefixes
    assert "pdf" in prefixes
    assert [e.text for e in root.findall(".//fx:ConformanceLevel", ns)] == ["EXTENDED"]
    assert merged.startswith(b"<?xpacket begin=")
    assert merged.endswith(b'<?xpacket end="r"?>')


def test_the_factur_x_package_reads_back_the_exact_xml_and_its_level():
    # given a Factur-X made by our pipeline
    pdf = add_facturx_metadata(typst_pdf({"factur-x.xml": XML}), FacturXMetadata.for_profile("EN16931"))
    # when the reference implementation extracts it
    filename, xml = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=False)
    # then it is our file, byte for byte
    assert filename == "factur-x.xml"
    assert xml == XML
    assert extract_invoice_xml(pdf) == ("factur-x.xml", XML)


def test_the_metadata_stream_stays_uncompressed_as_pdf_a_requires():
    pdf = add_facturx_metadata(typst_pdf({"factur-x.xml": XML}), FacturXMetadata.for_profile("BASIC"))
    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.Root.Metadata
        assert "/Filter" not in metadata.stream_dict
        assert b"fx:ConformanceLevel>BASIC<" in metadata.read_raw_bytes()


def test_a_pdf_that_is_not_pdf_a_is_reported_as_such():
    # given a plain PDF with an attachment but no PDF/A claim
    pdf = typst_pdf({"factur-x.xml": XML}, standard=None)
    # then the checks name the missing PDF/A claim and OutputIntent
    problems = inspect_pdf(pdf).problems()
    assert any("not 3B" in p for p in problems)
    assert "no PDF/A OutputIntent (GTS_PDFA1)" in problems


def test_extraction_refuses_pdfs_without_or_with_several_invoice_xml_files():
    with pytest.raises(FacturXError, match="no invoice XML"):
        extract_invoice_xml(typst_pdf({}))
    with pytest.raises(FacturXError, match="several invoice XML"):
        extract_invoice_xml(typst_pdf({"factur-x.xml": XML, "xrechnung.xml": XML}))


def test_extraction_refuses_what_is_not_a_readable_pdf():
    with pytest.raises(FacturXError, match="not a PDF"):
        extract_invoice_xml(b"<xml/>")
    with pytest.raises(FacturXError, match="unreadable PDF"):
        extract_invoice_xml(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    with pytest.raises(FacturXError, match="over the"):
        extract_invoice_xml(b"%PDF-1.7\n" + b"x" * 200, max_bytes=100)


def test_an_unknown_profile_has_no_conformance_level():
    with pytest.raises(FacturXError, match="PEPPOL"):
        FacturXMetadata.for_profile("PEPPOL")


def test_the_xmp_is_replaced_by_an_incremental_update_that_every_reader_resolves():
    plain = typst_pdf({"factur-x.xml": XML})
    pdf = add_facturx_metadata(plain, FacturXMetadata.for_profile("EN16931"))
    # the original bytes are untouched: the new packet, one xref entry and a trailer are appended
    assert pdf.startswith(plain.rstrip(b"\n"))
    assert pdf.endswith(b"%%EOF\n")
    assert pdf.count(b"/Prev ") == 1
    with pikepdf.open(io.BytesIO(pdf)) as document:
        assert document.check_pdf_syntax() == []
        assert b"fx:DocumentType>INVOICE<" in document.Root.Metadata.read_bytes()
        assert document.trailer.ID[0] == pikepdf.open(io.BytesIO(plain)).trailer.ID[0]
    from pypdf import PdfReader

    assert (
        b"fx:ConformanceLevel>EN 16931<"
        in PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Metadata"].get_data()
    )


def test_a_pdf_with_a_cross_reference_stream_is_rewritten_instead():
    # given a PDF/A whose xref is a stream (as qpdf writes with object streams)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(typst_pdf({"factur-x.xml": XML}))) as document:
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    # when the Factur-X metadata is added, then it still works (full rewrite)
    pdf = add_facturx_metadata(out.getvalue(), FacturXMetadata.for_profile("BASIC"))
    assert b"/Prev " not in pdf
    assert inspect_pdf(pdf).fx["ConformanceLevel"] == "BASIC"


def test_a_typst_pdf_gets_its_xmp_without_pikepdf_and_the_same_bytes_as_the_pikepdf_way():
    # given a PDF/A-3B as Typst writes it (classic xref, plain XMP stream)
    plain = typst_pdf({"factur-x.xml": XML})
    # when its XMP is found through the cross-reference table
    found = find_metadata(plain)
    # then it is the catalog's metadata stream, with the bytes and trailer keys pikepdf reads
    assert found is not None
    with pikepdf.open(io.BytesIO(plain)) as document:
        assert (found.number, found.generation) == document.Root.Metadata.objgen
        assert found.data == document.Root.Metadata.read_bytes()
        assert found.trailer.root == document.Root.objgen
        assert found.trailer.size == int(document.trailer.Size)
        assert found.trailer.identifiers == tuple(bytes(i) for i in document.trailer.ID)
    # and the Factur-X PDF is byte for byte the one the pikepdf way appends
    for profile in ("EN16931", "EXTENDED"):
        metadata = FacturXMetadata.for_profile(profile)
        assert add_facturx_metadata(plain, metadata) == add_facturx_metadata_with_pikepdf(plain, metadata)


def test_a_classic_pdf_written_by_qpdf_gets_the_same_bytes_both_ways():
    # given a PDF/A rewritten by qpdf: classic xref, spaced dictionaries, hexadecimal identifiers
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(typst_pdf({"factur-x.xml": XML}))) as document:
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    plain = out.getvalue()
    assert find_metadata(plain) is not None
    metadata = FacturXMetadata.for_profile("EN16931")
    assert add_facturx_metadata(plain, metadata) == add_facturx_metadata_with_pikepdf(plain, metadata)


def test_pdfs_outside_the_plain_typst_layout_are_left_to_pikepdf():
    plain = typst_pdf({"factur-x.xml": XML})
    # already updated incrementally (a /Prev trailer): several revisions to follow
    once = add_facturx_metadata(plain, FacturXMetadata.for_profile("BASIC"))
    assert find_metadata(once) is None
    # a cross-reference stream, a filtered metadata stream, no PDF at all
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(plain)) as document:
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    assert find_metadata(out.getvalue()) is None
    # (a filter declared on the metadata stream, the same length so that every offset stays right)
    keys = b"/Type/Metadata/Subtype/XML"
    assert plain.count(keys) == 1
    filtered = plain.replace(keys, b"/Filter/AHx/Type/Metadata ")
    assert find_metadata(filtered) is None
    assert find_metadata(b"not a pdf") is None
    # and adding the Factur-X metadata again still works the pikepdf way, keeping one fx schema
    twice = add_facturx_metadata(once, FacturXMetadata.for_profile("EN16931"))
    assert inspect_pdf(twice).fx["ConformanceLevel"] == "EN 16931"
    assert inspect_pdf(twice).problems(conformance_level="EN 16931") == []

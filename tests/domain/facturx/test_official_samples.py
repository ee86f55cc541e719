"""Our structural checks and extraction agree with the official FNFE-MPE Factur-X sample PDFs."""

import pytest

from facturier.domain.facturx import CONFORMANCE_LEVELS, extract_invoice_xml, inspect_pdf

PROFILES = {
    "MINIMUM": "MINIMUM",
    "BASIC_WL": "BASICWL",
    "BASIC": "BASIC",
    "EN_16931": "EN16931",
    "EXTENDED": "EXTENDED",
}


def samples(shared_dir):
    found = sorted((shared_dir / "conformance" / "facturx" / "samples").glob("*/*.pdf"))
    if not found:
        pytest.skip("no Factur-X sample PDFs in ../shared/conformance/facturx/samples")
    return found


def test_every_official_sample_passes_our_structural_checks_with_its_own_level(shared_dir):
    for path in samples(shared_dir):
        profile = PROFILES[path.stem.split("CLIENT_", 1)[1]]
        # when our checks read the official PDF
        structure = inspect_pdf(path.read_bytes())
        # then nothing is reported, and the level is the one the file name says
        assert structure.problems(conformance_level=CONFORMANCE_LEVELS[profile]) == [], path.name


def test_extraction_finds_the_invoice_among_other_attachments_of_the_official_samples(shared_dir):
    for path in samples(shared_dir):
        # given a sample with a delivery note PDF and an image attached besides the invoice XML
        assert len(inspect_pdf(path.read_bytes()).embedded_mime_types) == 3
        # then the invoice XML is the one published next to the PDF
        name, xml = extract_invoice_xml(path.read_bytes())
        assert name == "factur-x.xml"
        assert xml == path.with_suffix(".factur-x.xml").read_bytes()

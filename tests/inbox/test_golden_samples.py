"""Official examples from ../shared/conformance go through the inbox with a real validation report."""

from __future__ import annotations

import pytest

from facturier.domain.formats import detect_and_parse
from facturier.inbox.models import ReceivedFormat, ReceivedStatus, ValidationOutcome
from facturier.inbox.services import einvoice_import
from tests.inbox.conftest import CONFORMANCE

CII_SAMPLES = ["CII_example1.xml", "CII_business_example_01.xml", "CII_example5.xml"]
UBL_SAMPLES = ["guide-example1.xml", "guide-example2.xml", "ubl-tc434-creditnote1.xml"]
PDF_PROFILES = ["EN16931", "EXTENDED", "BASIC"]


def _errors_from(received, *sources: str) -> set[str]:
    return {
        f["rule_id"]
        for f in received.findings
        if f["source"] in sources and f["severity"] in ("error", "fatal")
    }


@pytest.mark.parametrize(
    ("folder", "name"),
    [("cii", n) for n in CII_SAMPLES] + [("ubl", n) for n in UBL_SAMPLES],
)
def test_official_cii_and_ubl_examples_are_received_with_their_header_and_no_core_errors(
    entity, owner, conformance, folder, name
):
    # given an official EN 16931 example (XSD and EN 16931 clean in the baseline)
    path = conformance / "en16931" / folder / "examples" / name
    if not path.is_file():
        pytest.skip(f"{path} not in this conformance snapshot")
    content = path.read_bytes()
    expected = detect_and_parse(content)
    # when it is received
    received = einvoice_import(entity=entity, by=owner, filename=name, content=content).records[0]
    # then its header is what the file says, the validators really ran, and XSD/EN 16931 found nothing
    assert received.number == expected.number
    assert received.amount_due == expected.totals.amount_due
    assert received.currency == expected.currency_code
    assert received.supplier.name == expected.seller.name[:200]
    assert received.validation_report["ran"] is True
    assert "xsd" in received.validation_report["artefacts"]
    assert not _errors_from(received, "xsd", "en16931-cii", "en16931-ubl")
    assert received.validation in (ValidationOutcome.VALID, ValidationOutcome.INVALID)


@pytest.mark.parametrize("profile", PDF_PROFILES)
def test_official_factur_x_pdfs_are_received_and_their_known_rule_failures_reported(
    entity, owner, conformance, profile
):
    # given an FNFE sample Factur-X PDF (pre-reform: the baseline says BR-FR-08 fails)
    pdfs = sorted((conformance / "facturx" / "samples" / profile).glob("*.pdf"))
    if not pdfs:
        pytest.skip(f"no {profile} sample PDF in this conformance snapshot")
    content = pdfs[0].read_bytes()
    # when it is received
    received = einvoice_import(entity=entity, by=owner, filename=pdfs[0].name, content=content).records[0]
    # then it is a Factur-X PDF of that profile, validated against the profile rules and BR-FR
    assert received.format == ReceivedFormat.FACTURX_PDF
    assert received.profile == profile
    assert f"facturx-{profile}" in received.validation_report["artefacts"]
    assert "BR-FR-08_BT-23" in _errors_from(received, "br-fr")
    assert received.validation == ValidationOutcome.INVALID
    assert received.status == ReceivedStatus.NEEDS_REVIEW
    assert received.number == "F20220023"
    assert not [f for f in received.findings if f["rule_id"].startswith("INBOX-PDF")]


def test_a_valid_invoice_with_no_finding_is_simply_received(entity, owner, conformance):
    # given an invoice that the official validators accept, addressed to us
    from tests.inbox.builders import cii_bytes

    received = einvoice_import(entity=entity, by=owner, filename="ok.xml", content=cii_bytes()).records[0]
    errors = [f for f in received.findings if f["severity"] in ("error", "fatal")]
    # then it is received without review (or the report says exactly why not)
    if errors:
        pytest.fail(f"built invoice has errors: {errors}")
    assert received.validation == ValidationOutcome.VALID
    assert received.status == ReceivedStatus.RECEIVED


def test_conformance_folder_location_is_the_team_workspace():
    # the golden tests read ../shared/conformance only through the fixture (skipped when absent)
    assert CONFORMANCE.name == "conformance"

"""validate_xml / validate_cdar behaviour on real and deliberately broken documents."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from facturier.domain.validation import (
    ArtefactStore,
    compile_timings,
    detect_facturx_profile,
    parse_secure,
    validate_cdar,
    validate_in_subprocess,
    validate_xml,
)
from facturier.domain.validation.isolation import shutdown_subprocess_worker

CII_EXAMPLE = "en16931/cii/examples/CII_example1.xml"
UBL_EXAMPLE = "en16931/ubl/examples/ubl-tc434-example1.xml"
APPLICATION_RESPONSE = "peppol/bis-billing-3.0.21/examples/InvoiceResponse_Example.xml"
CDAR_NS = "urn:un:unece:uncefact:data:standard:CrossDomainAcknowledgementAndResponse:100"


def _read(conformance_dir: Path, relative: str) -> bytes:
    return (conformance_dir / relative).read_bytes()


def test_valid_cii_invoice_passes_xsd_and_en16931(conformance_dir: Path, store: ArtefactStore) -> None:
    # when an official CII example is validated against the syntax and EN 16931 rules
    report = validate_xml(_read(conformance_dir, CII_EXAMPLE), rules=("xsd", "en16931"), store=store)
    # then it is valid and both artefacts ran
    assert report.is_valid
    assert report.artefacts == ("xsd", "en16931-cii")


def test_wrong_grand_total_in_cii_is_a_br_co_error(conformance_dir: Path, store: ArtefactStore) -> None:
    # given the CII example with a grand total that no longer equals net total + VAT
    xml = _read(conformance_dir, CII_EXAMPLE).replace(
        b"<ram:GrandTotalAmount>250.33</ram:GrandTotalAmount>",
        b"<ram:GrandTotalAmount>999.99</ram:GrandTotalAmount>",
    )
    # when validated
    report = validate_xml(xml, syntax="cii", rules=("xsd", "en16931"), store=store)
    # then the EN 16931 total rule fails (the rule is evaluated on the document root)
    assert not report.is_valid
    finding = next(f for f in report.errors if f.rule_id == "BR-CO-15")
    assert finding.source == "en16931-cii"
    assert finding.location == "/*:CrossIndustryInvoice[1]"
    assert finding.message.startswith("Invoice total amount with VAT (BT-112)")


def test_wrong_payable_amount_in_ubl_is_a_br_co_error(conformance_dir: Path, store: ArtefactStore) -> None:
    # given the UBL example with an amount due that ignores the total
    xml = _read(conformance_dir, UBL_EXAMPLE).replace(
        b'<cbc:PayableAmount currencyID="EUR">250.33', b'<cbc:PayableAmount currencyID="EUR">12.00'
    )
    # when validated, then BR-CO-16 fails
    report = validate_xml(xml, rules=("xsd", "en16931"), store=store)
    assert "BR-CO-16" in report.error_rule_ids("en16931-ubl")


def test_schema_violation_is_reported_with_line_and_path(conformance_dir: Path, store: ArtefactStore) -> None:
    # given a CII document with an element the D16B schema does not know
    xml = _read(conformance_dir, CII_EXAMPLE).replace(
        b"<ram:GrandTotalAmount>", b"<ram:NotAnElement>1</ram:NotAnElement><ram:GrandTotalAmount>"
    )
    # when validated against the XSD only
    report = validate_xml(xml, rules=("xsd",), store=store)
    # then a fatal XSD finding names the element, its line and its XPath
    (finding,) = report.errors
    assert finding.source == "xsd"
    assert finding.severity == "fatal"
    assert finding.rule_id.startswith("XSD-")
    assert "NotAnElement" in finding.message
    assert finding.line == 640
    assert finding.location.startswith("/rsm:CrossIndustryInvoice/")


def test_french_rules_run_by_default(conformance_dir: Path, store: ArtefactStore) -> None:
    # given a pre-reform Factur-X invoice (BT-23 "A1" is not a 2026 billing mode)
    sample = "facturx/samples/EN16931/Facture_F20220027-LE_FOURNISSEUR-POUR-LE_CLIENT_EN_16931.factur-x.xml"
    # when validated with the default rule sets and the profile read from BT-24
    report = validate_xml(_read(conformance_dir, sample), profile="auto", store=store)
    # then the Factur-X profile ran too, and BR-FR-08 fails
    assert report.artefacts == ("xsd", "xsd-facturx-EN16931", "facturx-EN16931", "en16931-cii", "br-fr")
    assert "BR-FR-08_BT-23" in report.error_rule_ids("br-fr")


def test_factur_x_profile_is_detected_from_bt_24(conformance_dir: Path) -> None:
    sample = "facturx/samples/BASICWL/Facture_F20220025-LE_FOURNISSEUR-POUR-LE_CLIENT_BASIC_WL.factur-x.xml"
    assert detect_facturx_profile(parse_secure(_read(conformance_dir, sample))) == "BASICWL"
    assert detect_facturx_profile(parse_secure(_read(conformance_dir, UBL_EXAMPLE))) is None


def test_declared_syntax_must_match_the_document(conformance_dir: Path, store: ArtefactStore) -> None:
    # when a UBL invoice is validated as CII, then the mismatch is a fatal finding and nothing ran
    report = validate_xml(_read(conformance_dir, UBL_EXAMPLE), syntax="cii", store=store)
    assert report.error_rule_ids() == {"XML-SYNTAX"}
    assert report.artefacts == ()


def test_invoice_rules_on_an_application_response_fail_closed(
    conformance_dir: Path, store: ArtefactStore
) -> None:
    # when a PEPPOL invoice response is validated with the invoice rule sets
    report = validate_xml(_read(conformance_dir, APPLICATION_RESPONSE), rules=("xsd", "en16931"), store=store)
    # then it is not reported valid
    assert report.error_rule_ids() == {"DOCUMENT-TYPE"}


def test_application_response_is_checked_with_peppol_t111(
    conformance_dir: Path, store: ArtefactStore
) -> None:
    report = validate_xml(_read(conformance_dir, APPLICATION_RESPONSE), rules=("xsd", "peppol"), store=store)
    assert report.is_valid
    assert report.artefacts == ("xsd", "peppol")


def test_unknown_rule_set_or_profile_is_a_programming_error(store: ArtefactStore) -> None:
    with pytest.raises(ValueError, match="Unknown rule sets"):
        validate_xml(b"<a/>", rules=("xsd", "br-de"), store=store)
    with pytest.raises(ValueError, match="Unknown Factur-X profile"):
        validate_xml(b"<a/>", profile="COMFORT", store=store)


def test_cdar_status_message_runs_xsd_and_br_fr_cdv(store: ArtefactStore) -> None:
    # given an empty CDAR message (no official CDAR example exists yet)
    xml = f'<rsm:CrossDomainAcknowledgementAndResponse xmlns:rsm="{CDAR_NS}"/>'.encode()
    # when validated
    report = validate_cdar(xml, store)
    # then both artefacts ran and the missing content is reported by the schema
    assert report.artefacts == ("xsd-cdar", "br-fr-cdar")
    assert not report.is_valid
    assert any(f.source == "xsd-cdar" for f in report.errors)


def test_cdar_validation_refuses_an_invoice(conformance_dir: Path, store: ArtefactStore) -> None:
    assert validate_cdar(_read(conformance_dir, CII_EXAMPLE), store).error_rule_ids() == {"XML-ROOT"}


def test_concurrent_threads_get_the_same_results_as_the_main_thread(
    conformance_dir: Path, store: ArtefactStore
) -> None:
    # given a valid and a broken invoice, and their findings computed in this thread
    valid = _read(conformance_dir, CII_EXAMPLE)
    broken = valid.replace(b"<ram:GrandTotalAmount>250.33", b"<ram:GrandTotalAmount>999.99")
    documents = [valid, broken]
    expected = [validate_xml(d, rules=("xsd", "en16931"), store=store).findings for d in documents]
    results: dict[tuple[int, int], object] = {}

    def work(worker: int) -> None:
        for index, document in enumerate(documents):
            results[(worker, index)] = validate_xml(document, rules=("xsd", "en16931"), store=store).findings

    # when two rounds of two threads validate the same documents (threads exit between rounds,
    # so the second round also releases the Saxon engines of the first)
    for _ in range(2):
        threads = [threading.Thread(target=work, args=(worker,)) for worker in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # then every thread saw exactly the main thread's findings
        assert expected[0] != expected[1]
        assert results == {(w, i): expected[i] for w in range(2) for i in range(2)}
        results.clear()


def test_stylesheets_are_compiled_once_and_timed(conformance_dir: Path, store: ArtefactStore) -> None:
    # given one validation in this thread
    validate_xml(_read(conformance_dir, CII_EXAMPLE), rules=("en16931",), store=store)
    before = compile_timings()
    # when validating again
    validate_xml(_read(conformance_dir, CII_EXAMPLE), rules=("en16931",), store=store)
    # then no stylesheet was compiled again, and the compile time was recorded
    assert compile_timings() == before
    assert before[str(store.path("xslt/en16931-cii"))] > 0


def test_subprocess_validation_matches_in_process_validation(
    conformance_dir: Path, store: ArtefactStore
) -> None:
    # given a broken invoice
    xml = _read(conformance_dir, UBL_EXAMPLE).replace(
        b'<cbc:PayableAmount currencyID="EUR">250.33', b'<cbc:PayableAmount currencyID="EUR">12.00'
    )
    try:
        # when validated in a spawned worker
        remote = validate_in_subprocess(xml, rules=("xsd", "en16931"), store=store)
    finally:
        shutdown_subprocess_worker()
    # then the report equals the in-process one
    assert remote == validate_xml(xml, rules=("xsd", "en16931"), store=store)
    assert "BR-CO-16" in remote.error_rule_ids()

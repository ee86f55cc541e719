"""SVRL -> Finding: rule ids, severities and messages from each family of official artefacts."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from facturier.domain.validation.findings import Finding, ValidationReport, findings_from_svrl

SVRL = "http://purl.oclc.org/dsdl/svrl"


def _svrl(*assertions: str) -> bytes:
    body = "".join(assertions)
    return f'<svrl:schematron-output xmlns:svrl="{SVRL}">{body}</svrl:schematron-output>'.encode()


def _assert(
    text: str, *, id_: str | None = None, flag: str | None = None, kind: str = "failed-assert"
) -> str:
    attributes = " location=\"/*:Invoice[namespace-uri()='urn:x'][1]/*:ID[namespace-uri()='urn:y'][1]\""
    if id_ is not None:
        attributes += f' id="{id_}"'
    if flag is not None:
        attributes += f' flag="{flag}"'
    return f'<svrl:{kind} test="x"{attributes}><svrl:text>{text}</svrl:text></svrl:{kind}>'


def test_cen_assertion_yields_rule_id_flag_and_plain_message() -> None:
    # given a CEN failed assertion with id, fatal flag and a bracketed id in the text
    svrl = _svrl(
        _assert("[BR-CO-16]-Amount due   for payment\n (BT-115) = ...", id_="BR-CO-16", flag="fatal")
    )
    # when it is read
    (finding,) = findings_from_svrl(svrl, "en16931-ubl")
    # then the id, severity, message and a namespace-free XPath are extracted
    assert finding == Finding(
        rule_id="BR-CO-16",
        severity="fatal",
        location="/*:Invoice[1]/*:ID[1]",
        message="Amount due for payment (BT-115) = ...",
        source="en16931-ubl",
    )


def test_facturx_assertion_without_flag_is_an_error_named_by_the_text_id() -> None:
    # given a Factur-X profile assertion: internal id attribute, EN 16931 id in the text, no flag
    svrl = _svrl(
        _assert(
            "\n\t[BR-CO-27]-Either the IBAN or a Proprietary ID (BT-84) shall be used.", id_="FX-SCH-A-000132"
        )
    )
    # when it is read
    (finding,) = findings_from_svrl(svrl, "facturx-EN16931")
    # then the normative rule id wins, the internal id is kept aside, and it counts as an error
    assert (finding.rule_id, finding.assertion_id, finding.severity) == (
        "BR-CO-27",
        "FX-SCH-A-000132",
        "error",
    )
    assert finding.message == "Either the IBAN or a Proprietary ID (BT-84) shall be used."


def test_br_fr_assertion_keeps_its_underscored_id_and_drops_the_reference_prefix() -> None:
    # given an FNFE assertion whose text opens with "BR-FR-08/BT-23 :"
    svrl = _svrl(
        _assert("\n  BR-FR-08/BT-23 : La valeur est absente.\n  ", id_="BR-FR-08_BT-23", flag="fatal")
    )
    # when it is read
    (finding,) = findings_from_svrl(svrl, "br-fr")
    # then
    assert (finding.rule_id, finding.message) == ("BR-FR-08_BT-23", "La valeur est absente.")


def test_successful_reports_count_as_findings_and_unknown_flags_as_errors() -> None:
    # given a schematron report and an assertion with an unusual flag
    svrl = _svrl(
        _assert("[FX-1]-bad thing present", kind="successful-report"),
        _assert("[W-1]-look at this", id_="W-1", flag="warning"),
        _assert("[X-1]-odd flag", id_="X-1", flag="severe"),
    )
    # when they are read
    findings = findings_from_svrl(svrl, "facturx-BASIC")
    # then the report is a finding, warning stays a warning, the unknown flag fails closed
    assert [(f.rule_id, f.severity) for f in findings] == [
        ("FX-1", "error"),
        ("W-1", "warning"),
        ("X-1", "error"),
    ]


def test_report_separates_errors_from_warnings_and_serialises_to_json() -> None:
    # given a report with a fatal, an error, a warning and an info finding
    report = ValidationReport(
        findings=(
            Finding("A", "fatal", "/", "a", "xsd", line=3),
            Finding("B", "error", "/", "b", "br-fr"),
            Finding("C", "warning", "/", "c", "br-fr"),
            Finding("D", "info", "/", "d", "br-fr"),
        ),
        artefacts=("xsd", "br-fr"),
    )
    # then
    assert not report.is_valid
    assert [f.rule_id for f in report.errors] == ["A", "B"]
    assert [f.rule_id for f in report.warnings] == ["C"]
    assert report.error_rule_ids("br-fr") == {"B"}
    as_json = json.loads(json.dumps(report.to_dict()))
    assert as_json["error_count"] == 2
    assert as_json["findings"][0]["line"] == 3


def test_report_with_only_warnings_is_valid() -> None:
    report = ValidationReport((Finding("C", "warning", "/", "c", "br-fr"),), ("br-fr",))
    assert report.is_valid


@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(" \n\t"), max_size=80)
)
def test_messages_are_always_single_spaced_and_trimmed(text: str) -> None:
    # given any assertion text (escaped into XML)
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    # when it is read
    (finding,) = findings_from_svrl(_svrl(_assert(escaped, id_="R-1", flag="fatal")), "x")
    # then the message is plain words
    assert finding.message == finding.message.strip()
    assert "  " not in finding.message
    assert "\n" not in finding.message
    assert "\t" not in finding.message

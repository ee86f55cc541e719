"""Untrusted input: no DOCTYPE, no entities, no network; a report instead of a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from facturier.domain.validation import (
    ArtefactStore,
    MalformedXmlError,
    UnsafeXmlError,
    parse_secure,
    validate_xml,
)

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&secret;</rsm:CrossIndustryInvoice>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<lolz>&lol3;</lolz>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/evil.dtd">
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>"""


@pytest.mark.parametrize(
    "document", [XXE, BILLION_LAUGHS, EXTERNAL_DTD], ids=["xxe", "billion-laughs", "external-dtd"]
)
def test_documents_with_a_doctype_are_refused(document: bytes) -> None:
    # when a document carrying a DOCTYPE is parsed, then it is refused
    with pytest.raises(UnsafeXmlError):
        parse_secure(document)


def test_refused_document_never_exposes_entity_content() -> None:
    # given an XXE attempt, when validated, then the report is a fatal XML-DOCTYPE and nothing ran
    report = validate_xml(XXE, store=ArtefactStore(Path("/nonexistent"), use_package=False))
    assert [f.rule_id for f in report.errors] == ["XML-DOCTYPE"]
    assert report.artefacts == ()
    assert "root:" not in str(report.to_dict())


def test_malformed_xml_becomes_a_fatal_finding_with_its_line() -> None:
    # given a document that is not well-formed on line 2
    document = b"<a>\n<b></a>"
    # then parsing raises, and validation reports it
    with pytest.raises(MalformedXmlError):
        parse_secure(document)
    (finding,) = validate_xml(document, store=ArtefactStore(Path("/nonexistent"))).findings
    assert (finding.rule_id, finding.severity, finding.line) == ("XML-WELL-FORMED", "fatal", 2)


def test_byte_order_mark_and_declared_encoding_are_accepted() -> None:
    # given a UTF-8 document with a BOM and a Latin-1 document
    with_bom = b"\xef\xbb\xbf<?xml version='1.0' encoding='UTF-8'?><a>\xc3\xa9</a>"
    latin1 = "<?xml version='1.0' encoding='ISO-8859-1'?><a>é</a>".encode("latin-1")
    # then both parse to the same text
    assert parse_secure(with_bom).getroot().text == parse_secure(latin1).getroot().text == "é"


def test_unknown_root_element_is_a_fatal_finding() -> None:
    report = validate_xml(b"<order/>", store=ArtefactStore(Path("/nonexistent")))
    assert report.error_rule_ids() == {"XML-ROOT"}

"""Received XML is untrusted: attacks and garbage end in InvoiceParseError, quickly."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facturier.domain.formats import InvoiceParseError, detect_and_parse, detect_syntax
from facturier.domain.formats.cii import parse_cii
from facturier.domain.formats.ubl import parse_ubl

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&xxe;</rsm:CrossIndustryInvoice>"""

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&lol9;</Invoice>'
)

UTF16_DOCTYPE = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>'.encode(
    "utf-16"
)


@pytest.mark.parametrize(
    "document", [XXE, BILLION_LAUGHS, UTF16_DOCTYPE], ids=["xxe", "billion-laughs", "utf16"]
)
def test_documents_with_a_doctype_are_refused_quickly(document: bytes) -> None:
    # given a document declaring entities
    started = time.perf_counter()
    # when it is parsed
    with pytest.raises(InvoiceParseError, match="DOCTYPE"):
        detect_and_parse(document)
    # then it is refused before any expansion happens
    assert time.perf_counter() - started < 1.0


def test_a_document_over_the_size_limit_is_refused_before_parsing() -> None:
    # given a document larger than the caller's limit
    document = b"<a>" + b"x" * 2000 + b"</a>"
    # when it is parsed with a 1 kB limit
    # then it is refused with the size in the message
    with pytest.raises(InvoiceParseError, match="over the 1000 bytes limit"):
        detect_and_parse(document, max_bytes=1000)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (b"", "empty"),
        (b"not xml at all", "not well-formed"),
        (b"<rsm:CrossIndustryInvoice xmlns:rsm='urn:x'><a>", "not well-formed"),
        (b"<html><body/></html>", "neither CII nor UBL"),
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "missing"),
        (
            b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>',
            "missing",
        ),
    ],
    ids=["empty", "text", "truncated", "wrong-root", "empty-ubl", "empty-cii"],
)
def test_garbage_truncated_or_foreign_documents_raise_invoice_parse_error(
    document: bytes, message: str
) -> None:
    # when a document that is not a usable invoice is parsed
    # then the one parse error class says why
    with pytest.raises(InvoiceParseError, match=message):
        detect_and_parse(document)


def test_each_syntax_parser_refuses_the_other_syntax() -> None:
    # given a UBL root and a CII root
    ubl = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'
    cii = b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'
    # then the CII parser refuses UBL and the UBL parser refuses CII
    with pytest.raises(InvoiceParseError, match="not a CII invoice"):
        parse_cii(ubl)
    with pytest.raises(InvoiceParseError, match="not a UBL invoice"):
        parse_ubl(cii)


def test_detect_syntax_names_the_three_roots() -> None:
    # given the three supported roots
    # then each is named by its syntax
    assert (
        detect_syntax(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
        == "ubl-invoice"
    )
    assert (
        detect_syntax(b'<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"/>')
        == "ubl-creditnote"
    )
    cii = b'<r:CrossIndustryInvoice xmlns:r="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"/>'
    assert detect_syntax(cii) == "cii"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_raise_anything_but_invoice_parse_error(data: bytes) -> None:
    # when arbitrary bytes are parsed
    try:
        detect_and_parse(data)
    except InvoiceParseError:
        pass  # then the only allowed failure is the parse error

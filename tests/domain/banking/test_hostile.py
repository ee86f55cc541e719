"""Hostile, huge, truncated and wrongly encoded files: a StatementError with a clear code, never a crash."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.banking import _text
from facturier.domain.banking.camt import parse_camt
from facturier.domain.banking.cfonb import parse_cfonb120
from facturier.domain.banking.mt940 import parse_mt940
from facturier.domain.banking.ofx import parse_ofx
from facturier.domain.banking.parse import parse_statement
from facturier.domain.banking.statement import ParsedStatement, StatementError
from tests.domain.banking import documents
from tests.domain.banking.samples import sample_files

_XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>&xxe;</Id>
</Stmt></BkToCstmrStmt></Document>"""

_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&lol9;</Document>'
)

_OFX2_XXE = documents.OFX2.replace(
    b"<OFX>", b'<!DOCTYPE OFX [<!ENTITY x SYSTEM "file:///etc/passwd">]><OFX>'
).replace(b"F2026-0077", b"&x;")


@pytest.mark.parametrize("data", [_XXE, _LAUGHS, _OFX2_XXE, _XXE.decode().encode("utf-16")], ids=str)
def test_dtd_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    assert refused.value.code in ("forbidden_xml", "unknown_format")
    if b"camt" in data or b"OFX" in data:
        assert refused.value.code == "forbidden_xml"


def test_an_oversized_file_is_refused_before_it_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_text, "MAX_STATEMENT_BYTES", 1000)
    with pytest.raises(StatementError) as refused:
        parse_statement(documents.CAMT053_V8)
    assert refused.value.code == "too_large"


def test_deeply_nested_xml_is_refused() -> None:
    deep = b"<a>" * 100_000 + b"</a>" * 100_000
    data = b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">' + deep + b"</Document>"
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    assert refused.value.code == "malformed"


def test_deeply_nested_ofx1_is_refused() -> None:
    data = b"OFXHEADER:100\r\nDATA:OFXSGML\r\n\r\n<OFX>" + b"<A>" * 10_000
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    assert refused.value.code == "malformed"


@pytest.mark.parametrize(
    "data",
    [documents.CAMT053_V8, documents.CAMT054_RETURN, documents.OFX2],
    ids=["camt053", "camt054", "ofx2"],
)
def test_truncated_xml_is_refused(data: bytes) -> None:
    for cut in (len(data) // 3, len(data) // 2, len(data) - 20):
        with pytest.raises(StatementError) as refused:
            parse_statement(data[:cut])
        assert refused.value.code == "truncated", str(refused.value)
    with pytest.raises(StatementError):
        parse_statement(data[:10])


def test_wrongly_encoded_xml_is_refused() -> None:
    # given a camt file that says UTF-8 but holds Latin-1 bytes
    data = documents.CAMT053_V8.replace(b"Boulangerie Martin", "Boulangère Martin".encode("latin-1"))
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    assert refused.value.code in ("encoding", "malformed")


def test_an_unknown_xml_encoding_is_refused() -> None:
    data = documents.CAMT053_V8.replace(b'encoding="UTF-8"', b'encoding="X-NOPE"')
    with pytest.raises(StatementError):
        parse_statement(data)


def test_utf16_camt_with_bom_is_read() -> None:
    data = documents.CAMT053_V8.decode().replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16")
    assert parse_statement(data) == parse_statement(documents.CAMT053_V8)


def test_latin1_and_utf8_text_formats_read_the_same() -> None:
    utf8 = documents.MT940.decode("cp1252").encode("utf-8")
    assert parse_statement(utf8) == parse_statement(documents.MT940)


def test_a_huge_text_file_without_statement_stays_in_bounded_memory() -> None:
    # given 8 MB of lines that look like MT940 fields but hold no statement
    data = b":20:X\r\n" + b":86:" + b"x" * 60 + b"\r\n" * 1 + (b"y" * 78 + b"\r\n") * 100_000
    tracemalloc.start()
    try:
        with pytest.raises(StatementError):
            parse_statement(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * len(data)


_PARSERS: list[Callable[[bytes], list[ParsedStatement]]] = [
    parse_camt,
    parse_mt940,
    parse_ofx,
    parse_cfonb120,
]
_SEEDS = [
    documents.CAMT053_V8,
    documents.CAMT054_RETURN,
    documents.MT940,
    documents.OFX1,
    documents.OFX2,
    documents.CFONB120,
] + [p.read_bytes() for p in sample_files()[::6] if p.stat().st_size < 50_000]
_INSERTS = st.sampled_from(
    [b"<", b">", b"&", b":61:", b":86:", b"?20", b"/EREF/", b"\x00", b"\xff\xfe", b"\xe9", b"}", b"J", b"-",
     b",", b".", b"9" * 30, b"\r\n", b"04", b"05", b"<STMTTRN>", b"</Ntry>", b"<Ntry>", b"2026-13-45"]
)  # fmt: skip


def _only_statement_errors(parser: Callable[[bytes], list[ParsedStatement]], data: bytes) -> None:
    error: StatementError | None = None
    result: list[ParsedStatement] = []
    try:
        result = parser(data)
    except StatementError as exc:
        error = exc
    if error is not None:
        assert error.code
        assert str(error)
    for statement in result:
        assert isinstance(statement, ParsedStatement)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2000), parser=st.sampled_from(_PARSERS))
def test_arbitrary_bytes_give_statements_or_statement_error(data: bytes, parser) -> None:
    _only_statement_errors(parser, data)
    _only_statement_errors(parse_statement, data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(min_value=0, max_value=10_000),
    position=st.integers(min_value=0, max_value=1_000_000),
    length=st.integers(min_value=0, max_value=50),
    insert=_INSERTS,
    parser=st.sampled_from(_PARSERS),
)
def test_mutated_statements_give_statements_or_statement_error(
    seed: int, position: int, length: int, insert: bytes, parser
) -> None:
    # given a real or written statement with one mutation
    source = _SEEDS[seed % len(_SEEDS)]
    position %= len(source)
    mutated = source[:position] + insert + source[position + length :]
    # then every parser (not only the matching one) reads it or refuses it with StatementError
    _only_statement_errors(parser, mutated)
    _only_statement_errors(parse_statement, mutated)


@pytest.mark.parametrize(
    "data", [documents.MT940 + b"\x00\x00junk", documents.CFONB120 + b"\x00"], ids=["mt940", "cfonb"]
)
def test_binary_bytes_in_a_text_statement_are_an_encoding_error(data: bytes) -> None:
    with pytest.raises(StatementError) as refused:
        parse_statement(data)
    assert refused.value.code == "encoding"


def test_cp1252_and_latin1_text_is_decoded() -> None:
    # "é" is 0xE9 in both; "€" is 0x80 in Windows-1252 only
    data = documents.MT940.replace(b"Zinsen", b"Int\xe9r\xeats 5\x80")
    assert parse_statement(data)[0].lines[2].remittance == "Intérêts 5€"

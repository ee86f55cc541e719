"""Whatever bytes arrive, the import entry point answers with a record and its report, or a clean refusal."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.inbox.errors import InboxImportError
from facturier.inbox.services import einvoice_import
from tests.inbox.builders import cii_bytes, pdf_with_attachments, ubl_bytes, zip_bytes

SEEDS = {
    "cii": cii_bytes(),
    "ubl": ubl_bytes(),
    "pdf": pdf_with_attachments({"factur-x.xml": cii_bytes(number="PDF-1")}),
    "zip": zip_bytes({"a.xml": cii_bytes(number="ZIP-1"), "b.xml": ubl_bytes(number="ZIP-2")}),
}
_INSERTS = st.sampled_from(
    [
        b"<",
        b">",
        b"&amp;",
        b"<!DOCTYPE x>",
        b"\x00",
        b"\xff\xfe",
        b"-1e999",
        b"NaN",
        b"9" * 40,
        b"PK\x03\x04",
        b"%PDF-",
    ]
)
_FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _mutate(data: bytes, kind: str, position: int, length: int, insert: bytes) -> bytes:
    position %= len(data)
    if kind == "delete":
        return data[:position] + data[position + length :]
    if kind == "insert":
        return data[:position] + insert + data[position:]
    if kind == "replace":
        return data[:position] + insert + data[position + length :]
    if kind == "truncate":
        return data[:position]
    return bytes(b ^ 0xFF if i == position else b for i, b in enumerate(data))  # flip one byte


def _answers_cleanly(entity, owner, content: bytes) -> None:
    try:
        result = einvoice_import(entity=entity, by=owner, filename="fuzz.bin", content=content)
    except InboxImportError as exc:
        refused = exc
    else:
        refused = None
    if refused is not None:
        assert refused.message
        assert refused.code.startswith("inbox_")
        return
    for item in result.items:
        if item.record is None:
            assert isinstance(item.error, InboxImportError)
        else:
            report = item.record.validation_report
            assert isinstance(report["findings"], list)
            assert "ran" in report


@_FUZZ
@given(data=st.binary(max_size=4096))
def test_random_bytes_never_crash_the_import(entity, owner, data):
    _answers_cleanly(entity, owner, data)


@_FUZZ
@given(
    seed=st.sampled_from(sorted(SEEDS)),
    kind=st.sampled_from(["delete", "insert", "replace", "truncate", "flip"]),
    position=st.integers(min_value=0, max_value=1_000_000),
    length=st.integers(min_value=1, max_value=300),
    insert=_INSERTS,
)
def test_mutated_valid_files_are_imported_with_a_report_or_refused_cleanly(
    entity, owner, seed, kind, position, length, insert
):
    # given a valid CII, UBL, Factur-X PDF or zip with one random mutation
    mutated = _mutate(SEEDS[seed], kind, position, length, insert)
    # then importing it yields records with reports, or an InboxImportError, never another exception
    _answers_cleanly(entity, owner, mutated)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kind=st.sampled_from(["delete", "insert", "replace"]),
    position=st.integers(min_value=0, max_value=1_000_000),
    length=st.integers(min_value=1, max_value=40),
    insert=_INSERTS,
)
def test_mutated_invoices_through_the_real_validators_never_crash(
    entity, owner, conformance, kind, position, length, insert
):
    # given the official validators and a mutated CII invoice
    mutated = _mutate(SEEDS["cii"], kind, position, length, insert)
    # then the import still answers with a report or a clean refusal
    _answers_cleanly(entity, owner, mutated)

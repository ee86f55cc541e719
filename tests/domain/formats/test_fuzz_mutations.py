"""Mutated official invoices either parse to an Invoice or raise InvoiceParseError, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from facturier.domain.en16931.model import Invoice
from facturier.domain.formats import InvoiceParseError, detect_and_parse
from tests.domain.formats.golden import SKIP_REASON, golden_files

CII_FILES, UBL_FILES = golden_files()
SEEDS: list[Path] = CII_FILES[:: max(1, len(CII_FILES) // 6)] + UBL_FILES[:: max(1, len(UBL_FILES) // 6)]

_MUTATIONS = st.sampled_from(["delete", "insert", "replace", "truncate", "swap-text"])
_INSERTS = st.sampled_from(
    [b"<", b">", b"&", b"abc", b"-1e999", b"NaN", b"</x>", b"\x00", b"\xff", b"2024-13-45"]
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
    # swap-text: replace the next text content (between > and <) with the insert
    start = data.find(b">", position)
    end = data.find(b"<", start + 1)
    if start < 0 or end < 0:
        return data
    return data[: start + 1] + insert + data[end:]


@pytest.mark.skipif(not SEEDS, reason=SKIP_REASON)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed_index=st.integers(min_value=0, max_value=100),
    kind=_MUTATIONS,
    position=st.integers(min_value=0, max_value=1_000_000),
    length=st.integers(min_value=1, max_value=200),
    insert=_INSERTS,
)
def test_mutated_valid_invoices_parse_or_raise_invoice_parse_error(
    seed_index: int, kind: str, position: int, length: int, insert: bytes
) -> None:
    # given an official invoice with one random mutation
    source = SEEDS[seed_index % len(SEEDS)].read_bytes()
    mutated = _mutate(source, kind, position, length, insert)
    # when it is parsed
    try:
        result = detect_and_parse(mutated)
    except InvoiceParseError:
        return
    # then a success is a real invoice
    assert isinstance(result, Invoice)

"""Every official example, parsed into our model and written out again, validates no worse than the original.

The same validators as the baseline table (XSD, EN 16931, PEPPOL, Factur-X profile, BR-FR) run on the
source and on our re-serialization; the re-serialized document may not raise an error-level rule the
source did not already raise (the examples include deliberately invalid ones, which stay as they are).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facturier.domain.formats import detect_and_parse
from facturier.domain.formats.cii import serialize_cii
from facturier.domain.formats.ubl import serialize_ubl
from facturier.domain.validation import ArtefactStore, validate_xml

from .conftest import CONFORMANCE
from .test_golden_baseline import Case, _params


def _reserialize(source: bytes) -> bytes:
    """Parse, then write in the source's own syntax, keeping its specification identifier (BT-24)."""
    invoice = detect_and_parse(source)
    if b"CrossIndustryInvoice" in source[:4000]:
        return serialize_cii(invoice)
    return serialize_ubl(invoice)


def _invoice_cases() -> list[object]:
    """The baseline's cases that are invoices or credit notes (not PEPPOL ApplicationResponse messages)."""
    cases = _params()
    return [
        param
        for param in cases
        if not (
            isinstance(param.values[0], Case)
            and b"ApplicationResponse" in (CONFORMANCE / param.values[0].file).read_bytes()[:4000]
        )
    ]


@pytest.mark.slow
@pytest.mark.parametrize("case", _invoice_cases())
def test_reserialized_example_raises_no_new_error(
    case: Case, store: ArtefactStore, conformance_dir: Path
) -> None:
    # given an official example and what the validators say of it
    source = (conformance_dir / case.file).read_bytes()
    before = validate_xml(source, rules=case.rules, profile=case.profile, store=store)
    # when it is parsed into the model and serialized again in its own syntax
    xml = _reserialize(source)
    after = validate_xml(xml, rules=case.rules, profile=case.profile, store=store)
    # then no error-level rule fires that did not already fire on the source
    assert after.error_rule_ids() - before.error_rule_ids() == frozenset(), [
        f"{f.rule_id} {f.location}: {f.message}"
        for f in after.errors
        if f.rule_id not in before.error_rule_ids()
    ]

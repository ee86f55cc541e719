"""A validation store over the team's conformance folder (CDAR XSD + BR-FR-CDV schematron)."""

from __future__ import annotations

from pathlib import Path

import pytest

from facturier.domain.validation import ArtefactStore

CONFORMANCE = Path(__file__).resolve().parents[3] / ".." / "shared" / "conformance"


@pytest.fixture(scope="session")
def cdar_store() -> ArtefactStore:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    return ArtefactStore(CONFORMANCE)

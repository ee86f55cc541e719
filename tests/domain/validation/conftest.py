"""Fixtures for the validation tests: the team's conformance folder and a store over it.

Saxon compiles each stylesheet once per thread and keeps it, so sharing one store for the whole
session means every XSLT is compiled once per test run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from facturier.domain.validation import ArtefactStore

SHARED = Path(__file__).resolve().parents[3] / ".." / "shared"
CONFORMANCE = SHARED / "conformance"


def _require_conformance() -> Path:
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    return CONFORMANCE


@pytest.fixture(scope="session")
def conformance_dir() -> Path:
    return _require_conformance()


@pytest.fixture(scope="session")
def store(conformance_dir: Path) -> ArtefactStore:
    return ArtefactStore(conformance_dir)

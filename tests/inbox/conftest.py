"""Inbox fixtures: received files go to a temporary folder; validation artefacts are absent unless a
test asks for the team's conformance folder (so most tests are fast and independent of ../shared)."""

from __future__ import annotations

from pathlib import Path

import pytest

CONFORMANCE = Path(__file__).resolve().parents[2] / ".." / "shared" / "conformance"


@pytest.fixture(autouse=True)
def inbox_dirs(settings, tmp_path):
    settings.FACTURIER_INBOX_ROOT = tmp_path / "inbox"
    settings.FACTURIER_CONFORMANCE_DIR = tmp_path / "no-conformance"  # validation cannot run
    return tmp_path / "inbox"


@pytest.fixture
def conformance(settings):
    """Point validation at the official artefacts of the team workspace."""
    if not CONFORMANCE.is_dir():
        pytest.skip("../shared not present: conformance data is only in the team workspace")
    settings.FACTURIER_CONFORMANCE_DIR = CONFORMANCE
    return CONFORMANCE

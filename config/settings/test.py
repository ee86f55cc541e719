"""Test settings: fast hashing, immediate tasks, in-memory email."""

import os
import tempfile

from config.settings.base import *  # noqa: F403
from config.settings.storage import issued_storage

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only, speed
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# tests that need "not configured" or a real SMTP server override it; a server started by a browser test
# reads its SMTP server from FACTURIER_TEST_EMAIL_URL (tests/e2e/test_reconciliation_screen.py)
EMAIL_URL = os.environ.get("FACTURIER_TEST_EMAIL_URL", "memory://")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LANGUAGE_CODE = "fr"

# E-invoice validation on issue runs the official rules from the team's conformance folder when it is
# there (tests only; users install theirs with `facturier conformance install PATH`).
_SHARED_CONFORMANCE = BASE_DIR.parent / "shared" / "conformance"  # noqa: F405
CONFORMANCE_DIR = str(_SHARED_CONFORMANCE) if _SHARED_CONFORMANCE.is_dir() else None
EINVOICE_VALIDATE_ON_ISSUE = _SHARED_CONFORMANCE.is_dir()

# One fixed seal key for the whole run (tests of key files and rotation override these settings);
# checkpoints go to each test's own temporary folder (tests/conftest.py).
FACTURIER_SEAL_KEYS = "test-2026:tests-only-seal-secret-0123456789abcdef"
FACTURIER_CHECKPOINT_INTERVAL = (
    0.0  # a checkpoint after every issuing commit (tests of the interval set theirs)
)
# Issued files go to a folder of this test run, never to ./var. Set in the environment so that the worker and
# issuer processes tests start (whatever their settings) read and write the same folder.
os.environ.setdefault("FACTURIER_STORAGE_URL", "file://" + tempfile.mkdtemp(prefix="facturier-issued-"))
STORAGES = {**STORAGES, "issued": issued_storage(DATA_DIR)}  # noqa: F405

"""Settings of the `facturier worker` processes started by test_pdf_worker.py (a real DB queue, no reload)."""

from config.settings.base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303 - tests only, speed
# The test is about rendering after a crash; the official rules are exercised elsewhere.
EINVOICE_VALIDATE_ON_ISSUE = False

"""Encryption at rest of the secrets Facturier keeps for each company (connector credentials).

The key never lives in the database: a database dump or a replica alone reveals nothing. It comes from
``FACTURIER_CREDENTIALS_KEY`` (a Fernet key, ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``), or, when unset, from ``<data dir>/credentials.key``, created
on first use with mode 0600 (development and single-machine installs; back it up with the database).
Several comma-separated keys rotate: the first encrypts, every one decrypts.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)
KEY_FILE_NAME = "credentials.key"


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted with the configured keys (wrong or rotated-out key)."""


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE_NAME


def _keys_from_file() -> list[bytes]:
    path = _key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(Fernet.generate_key())
        logger.warning("created %s: set FACTURIER_CREDENTIALS_KEY in production", path)
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


def cipher() -> MultiFernet:
    configured = str(getattr(settings, "FACTURIER_CREDENTIALS_KEY", "") or "")
    keys = [part.strip().encode() for part in configured.split(",") if part.strip()] or _keys_from_file()
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FACTURIER_CREDENTIALS_KEY must be Fernet keys (32 url-safe base64 bytes), comma-separated"
        ) from exc


def encrypt_json(values: dict[str, Any]) -> str:
    return cipher().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_json(token: str) -> dict[str, Any]:
    try:
        data = json.loads(cipher().decrypt(token.encode()))
    except InvalidToken as exc:
        raise SecretUnreadable("the stored credentials cannot be decrypted with the configured key") from exc
    return dict(data)

"""Hash chaining of sealed records (issued documents, audit events) and signed checkpoints.

Each record's seal covers its canonical content and the previous record's seal, so changing, removing
or reordering any record breaks every seal after it. Canonical form: JSON with sorted keys, no spaces,
Decimals and dates as strings, so the same content always yields the same bytes on every database.

Seals are keyed (HMAC-SHA256) with a secret kept outside the database: someone who can write to the
database but does not hold the key cannot recompute a chain after changing it. `chain_hash` (plain
SHA-256) only remains to read chains sealed before keys existed.
"""

import datetime as dt
import hashlib
import hmac
import json
import uuid
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date | uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot seal a value of type {type(value).__name__}")


def canonical_json(content: Any) -> bytes:
    """Deterministic UTF-8 JSON bytes of `content`."""
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode()


def chain_hash(previous_hash: str, content: Any) -> str:
    """SHA-256 hex of the previous hash followed by the canonical content."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(content))
    return digest.hexdigest()


def seal_mac(key: bytes, previous_hash: str, content: Any) -> str:
    """HMAC-SHA256 hex, under `key`, of the previous seal followed by the canonical content."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    mac.update(previous_hash.encode("ascii"))
    mac.update(canonical_json(content))
    return mac.hexdigest()


def sign(key: bytes, content: Any) -> str:
    """HMAC-SHA256 hex of the canonical content: the signature of a checkpoint."""
    return hmac.new(key, canonical_json(content), hashlib.sha256).hexdigest()


def same_mac(expected: str, given: str) -> bool:
    """Constant-time comparison, so that checking a seal leaks nothing about the right one."""
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))

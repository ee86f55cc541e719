"""Hash chaining of sealed records (issued documents, audit events).

Each record's hash covers its canonical content and the previous record's hash, so changing, removing
or reordering any record breaks every hash after it. Canonical form: JSON with sorted keys, no spaces,
Decimals and dates as strings, so the same content always yields the same bytes on every database.
"""

import datetime as dt
import hashlib
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

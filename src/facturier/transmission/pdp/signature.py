"""Signatures of the Flow Service webhook callbacks (XP Z12-013 Annex A, ``createWebhook``).

The platform computes a SHA-256 fingerprint of ``<JSON body as sent>@<epoch seconds>``, signs that
fingerprint (hex) with HMAC-SHA-256 under the webhook's signing key, and sends the signature base64
encoded in ``Afnor-Signature`` with the epoch in ``Afnor-Signature-Timestamp``. A callback whose
timestamp is too far from now is refused too, so a captured callback cannot be replayed later.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time

MAX_SKEW_SECONDS = 300


def signing_key(encoded: str) -> bytes:
    """The key as the platform returned it (base64, ``format: byte``); raw text is accepted too."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return encoded.encode()


def sign(body: bytes, timestamp: int, key: bytes) -> str:
    fingerprint = hashlib.sha256(body + b"@" + str(timestamp).encode()).hexdigest()
    digest = hmac.new(key, fingerprint.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(body: bytes, signature: str, timestamp: str, key: bytes, *, now: float | None = None) -> bool:
    """True only for a correct signature made within ``MAX_SKEW_SECONDS`` of now."""
    if not signature or not timestamp.strip().isdigit() or not key:
        return False
    moment = int(timestamp)
    current = time.time() if now is None else now
    if abs(current - moment) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(sign(body, moment, key), signature.strip())

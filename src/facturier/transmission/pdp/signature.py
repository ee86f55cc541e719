"""Signatures of the Flow Service webhook callbacks (XP Z12-013 Annex A, ``createWebhook``).

The platform computes a SHA-256 fingerprint of ``<JSON body as sent>@<epoch seconds>``, signs that
fingerprint (hex) with HMAC-SHA-256 under the webhook's signing key, and sends the signature base64
encoded in ``Afnor-Signature`` with the epoch in ``Afnor-Signature-Timestamp``. A callback whose
timestamp is too far from now is refused too, so a captured callback cannot be replayed later.

The annex leaves open what exactly the HMAC covers; platforms read it three ways (the fingerprint as
hex text, as raw bytes, or HMAC-SHA-256 straight over ``body@timestamp``, the HMAC being the
"fingerprint"). We sign the first way and accept all three: each is a keyed SHA-256 HMAC over the
body and the timestamp, so none is weaker than the others.
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


def _messages(body: bytes, timestamp: int) -> tuple[bytes, bytes, bytes]:
    signed = body + b"@" + str(timestamp).encode()
    fingerprint = hashlib.sha256(signed)
    return fingerprint.hexdigest().encode(), fingerprint.digest(), signed


def _hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def sign(body: bytes, timestamp: int, key: bytes) -> str:
    return _hmac(key, _messages(body, timestamp)[0])


def verify(body: bytes, signature: str, timestamp: str, key: bytes, *, now: float | None = None) -> bool:
    """True only for a correct signature made within ``MAX_SKEW_SECONDS`` of now."""
    if not signature or not timestamp.strip().isdigit() or not key:
        return False
    moment = int(timestamp)
    current = time.time() if now is None else now
    if abs(current - moment) > MAX_SKEW_SECONDS:
        return False
    given = signature.strip()
    matches = [hmac.compare_digest(_hmac(key, message), given) for message in _messages(body, moment)]
    return any(matches)

"""Appending to a hash chain under a row lock."""

from django.db import transaction

from facturier.audit.models import ChainHead
from facturier.domain.sealing import GENESIS_HASH


def lock_chain(key: str) -> ChainHead:
    """Return the chain head locked for this transaction (created on first use).

    On PostgreSQL the FOR UPDATE lock serializes writers of the same chain; on SQLite the IMMEDIATE
    transaction already holds the single write lock.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_chain must run inside transaction.atomic")
    ChainHead.objects.get_or_create(key=key, defaults={"last_hash": GENESIS_HASH, "length": 0})
    return ChainHead.objects.select_for_update().get(key=key)

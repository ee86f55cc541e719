"""Appending to a hash chain under a row lock, and the parallel audit chains of one entity.

An entity's audit events are spread over ``FACTURIER_AUDIT_CHAINS`` (default 8) independent hash chains:
``audit:<entity>`` (the historical one, always the first) and ``audit:<entity>:1`` ... ``:<n-1>``. A
transaction appends to the first chain no other transaction holds (``SELECT ... FOR UPDATE SKIP LOCKED``),
so unrelated writes of one company no longer wait for each other, and waits only when every chain is busy.

Tamper evidence is unchanged, because each chain is what the single chain was: every event is sealed
(HMAC) with its chain key and position and linked to the event before it in its chain; each chain has a
head row that `audit verify` compares with its last event; checkpoints record every chain of the entity
(`checkpoints.entity_state`), so removing the tail of any chain, or a whole chain with its head, is
reported. An event cannot be moved to another chain: its chain key and position are sealed. What the
chains do not give is one total order over an entity's events: each event carries its own sealed
``occurred_at``, and the events of one document are still each sealed in the chain they were written to.
"""

import threading
from typing import Any

from django.conf import settings
from django.db import transaction

from facturier.audit.models import ChainHead
from facturier.domain.sealing import GENESIS_HASH


def lock_chain(key: str) -> ChainHead:
    """Return the chain head locked for this transaction (created on first use).

    On PostgreSQL the FOR UPDATE lock serializes writers of the same chain; on SQLite the IMMEDIATE
    transaction already holds the single write lock.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_chain must run inside transaction.atomic")
    try:
        return ChainHead.objects.select_for_update().get(key=key)
    except ChainHead.DoesNotExist:
        _create_heads([key])
        return ChainHead.objects.select_for_update().get(key=key)


def _create_heads(keys: list[str]) -> bool:
    """Create the missing heads of ``keys``; True if any was missing.

    On PostgreSQL they are inserted on a connection of their own, committed at once: a head inserted
    inside the business transaction stays uncommitted until it ends, and a concurrent first writer
    inserting the same head waits for it while holding its own row locks (an invoice, a transmission),
    which deadlocked two sends of one invoice. An empty head is a valid chain of length 0, so
    committing it early is harmless even if the business transaction rolls back. On SQLite the
    transaction already holds the only write lock: the heads are inserted in it.
    """
    existing = set(ChainHead.objects.filter(key__in=keys).values_list("key", flat=True))
    missing = [key for key in keys if key not in existing]
    if not missing:
        return False
    connection = transaction.get_connection()
    if connection.vendor != "postgresql":
        for key in missing:
            ChainHead.objects.get_or_create(key=key, defaults={"last_hash": GENESIS_HASH, "length": 0})
        return True
    side = type(connection)(dict(connection.settings_dict), connection.alias)  # same database, own session
    try:
        with side.cursor() as cursor:  # autocommit: each insert is committed when it returns
            cursor.executemany(
                "INSERT INTO audit_chainhead (key, last_hash, length) VALUES (%s, %s, 0) ON CONFLICT (key) DO NOTHING",
                [(key, GENESIS_HASH) for key in missing],
            )
    finally:
        side.close()
    return True


def audit_chain_keys(owner: str) -> list[str]:
    """The audit chains of one entity id (or ``global``), the historical ``audit:<owner>`` first."""
    count = max(1, int(getattr(settings, "FACTURIER_AUDIT_CHAINS", 8)))
    return [f"audit:{owner}", *(f"audit:{owner}:{index}" for index in range(1, count))]


def is_audit_chain_of(key: str, owner: str) -> bool:
    return key == f"audit:{owner}" or key.startswith(f"audit:{owner}:")


_preferred: dict[tuple[int, str], str] = {}  # (thread, owner) -> the chain that thread locked last


def lock_audit_chain(owner: str) -> ChainHead:
    """Lock one of the owner's audit chains for this transaction: the one it already holds, else a free one.

    Rows a transaction locked itself are never skipped, so a second event of the same transaction goes
    to the chain it already holds (one transaction holds one chain: no deadlock between audit chains).
    Only when every chain is held by others does it wait, on the chain this process used last.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("lock_audit_chain must run inside transaction.atomic")
    keys = audit_chain_keys(owner)
    thread = threading.get_ident()
    preferred = _preferred.get((thread, owner), keys[0])
    if preferred not in keys:  # FACTURIER_AUDIT_CHAINS was lowered
        preferred = keys[0]
    if connection.vendor != "postgresql":  # SQLite: one writer at a time, the chain is always free
        return lock_chain(preferred)
    free = ChainHead.objects.select_for_update(skip_locked=True)
    head = free.filter(key=preferred).first()
    if head is None:
        head = free.filter(key__in=keys).order_by("key").first()
    if head is None and _create_heads(keys):  # first use of these chains (or more chains configured)
        head = free.filter(key__in=keys).order_by("key").first()
    if head is None:
        head = lock_chain(preferred)
    _preferred[(thread, owner)] = head.key
    return head


def free_chain_lateral(owner: str, after: str) -> tuple[str, list[Any]]:
    """PostgreSQL: a ``LATERAL`` subquery locking one free audit chain of ``owner`` (the one this thread
    used last first, else the first free one; none when all are held), to be joined to the row of
    another statement that must be locked first. ``after`` names a never-null column of that row: the
    subquery depends on it, so it runs only once that row is there (its lock taken). It never waits
    (``SKIP LOCKED``). Its columns are ``key, last_hash, length`` (``adopt_locked_chain``)."""
    keys = audit_chain_keys(owner)
    preferred = _preferred.get((threading.get_ident(), owner), keys[0])
    table = ChainHead._meta.db_table
    sql = (
        f"LATERAL (SELECT h.key, h.last_hash, h.length FROM {table} AS h "  # noqa: S608 - the model's own table
        f"WHERE h.key = ANY(%s) AND {after} IS NOT NULL ORDER BY h.key = %s DESC, h.key "
        "LIMIT 1 FOR UPDATE OF h SKIP LOCKED)"
    )
    return sql, [keys, preferred]


def adopt_locked_chain(owner: str, key: str, last_hash: str, length: int) -> ChainHead:
    """The head a ``free_chain_lateral`` subquery locked, as ``lock_audit_chain`` would return it."""
    head = ChainHead(key=key, last_hash=last_hash, length=length)
    head._state.adding, head._state.db = False, transaction.get_connection().alias
    _preferred[(threading.get_ident(), owner)] = key
    return head

"""Signed checkpoints written outside the database, so that truncation is detectable.

A checkpoint states, for one legal entity at one moment, how long each of its chains was and which seal
ended it: its audit chains (one or more, `facturier.audit.chain`) and the document chain of each numbering series, with the series' counters.
The chains other than the audit chain come from the apps that own them (`facturier.audit.registry`).
It is signed (HMAC-SHA256 with the current seal key, its key id written beside it) and written to
`FACTURIER_CHECKPOINT_DIR` (default `$FACTURIER_DATA_DIR/checkpoints`)`/<entity id>/` as a new file that
is never overwritten. Someone who deletes the last records of a chain and sets its head back leaves a
database that is consistent in itself but shorter than the last checkpoint: `audit verify` reports it.

Written after the transactions that issue documents (`checkpoint_after_commit`) and by
`facturier audit checkpoint`, and daily by the stored schedule `audit-checkpoint` (`audit.tasks`).

After issues, at most one per entity and process every `FACTURIER_CHECKPOINT_INTERVAL` seconds
(default 1; 0: after every commit). The first commit after a quiet interval writes one at once; a
commit within the interval leaves one due at its end (a writer thread of the process), written then
from the committed state, so it covers that commit and every other one of the interval. A billing run
of 100,000 invoices thus writes a few hundred files instead of 100,000, and the newest checkpoint is
never more than the interval behind an issue of a running process (one killed within it leaves its
last second to the next checkpoint: the next issue's or the daily one). `flush_checkpoints` writes the
due ones at once.
"""

import datetime as dt
import json
import logging
import os
import secrets
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from facturier.audit.chain import is_audit_chain_of
from facturier.audit.keys import KeyRing, keyring
from facturier.audit.models import AuditEvent, ChainHead
from facturier.audit.registry import chain_source_for, chain_sources, checkpointed_entities
from facturier.audit.verify import Breach
from facturier.domain.sealing import same_mac, sign

FORMAT = "facturier-checkpoint/1"
GLOBAL = "global"
logger = logging.getLogger(__name__)


def checkpoint_dir() -> Path:
    configured = getattr(settings, "FACTURIER_CHECKPOINT_DIR", None)
    return Path(configured) if configured else Path(settings.DATA_DIR) / "checkpoints"


def entity_state(entity_id: str) -> dict[str, Any]:
    """The chains of one entity (or `global`) as they are now in the database: its audit chain here,
    the chains the apps above register (`facturier.audit.registry`; invoicing: its numbering series)."""
    chains: dict[str, Any] = {}
    for head in ChainHead.objects.filter(key__startswith=f"audit:{entity_id}").order_by("key"):
        if is_audit_chain_of(head.key, entity_id):  # every parallel audit chain (audit.chain)
            chains[head.key] = {"length": head.length, "head": head.last_hash}
    if entity_id != GLOBAL:
        for source in chain_sources():
            chains.update(source.chains(entity_id))
    return chains


def write_checkpoint(entity_id: str, *, keys: KeyRing | None = None, reason: str = "scheduled") -> Path:
    """Write one signed checkpoint of one entity as a new read-only file; return its path."""
    keys = keys or keyring()
    now = timezone.now()
    body = {"format": FORMAT, "entity": entity_id, "written_at": now.isoformat(), "reason": reason,
            "chains": entity_state(entity_id), "key_id": keys.current_id}  # fmt: skip
    document = {**body, "signature": sign(keys.current, body)}
    folder = checkpoint_dir() / entity_id
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{now.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}.json"
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
    with os.fdopen(descriptor, "w") as handle:
        json.dump(document, handle, indent=1, sort_keys=True)
    return path


def write_checkpoints(entity_ids: Iterable[str] | None = None, *, reason: str = "scheduled") -> list[Path]:
    """Checkpoint the given entities (default: every entity and the global chain). For schedulers and cron."""
    if entity_ids is None:
        entity_ids = [GLOBAL, *checkpointed_entities()]  # every legal entity (registered by accounts)
    keys = keyring()
    return [write_checkpoint(str(entity_id), keys=keys, reason=reason) for entity_id in entity_ids]


def checkpoint_interval() -> float:
    return max(0.0, float(getattr(settings, "FACTURIER_CHECKPOINT_INTERVAL", 1.0)))


_guard = threading.Condition()
_last_written: dict[str, float] = {}  # entity id -> when this process last wrote one after an issue
_due: dict[str, float] = {}  # entity id -> when its due checkpoint is to be written (time.monotonic)
_writer: list[threading.Thread] = []  # the thread writing the due checkpoints, while there are some


class _AfterIssue:
    """The on-commit callback of one transaction: a checkpoint of each entity that issued in it, now or
    at the end of the entity's interval (module docstring)."""

    def __init__(self) -> None:
        self.entity_ids: set[str] = set()

    def __call__(self) -> None:
        interval, now, at_once = checkpoint_interval(), time.monotonic(), []
        with _guard:
            for entity_id in sorted(self.entity_ids):
                if entity_id in _due:  # written after this commit: it will record it
                    continue
                last = _last_written.get(entity_id)
                wait = 0.0 if interval <= 0 or last is None else last + interval - now
                if wait <= 0:
                    _last_written[entity_id] = now
                    at_once.append(entity_id)
                else:
                    _due[entity_id] = now + wait
                    if not _writer:
                        writer = threading.Thread(target=_write_due, name="checkpoints")
                        _writer.append(writer)
                        writer.start()  # not a daemon: a process that exits first waits for it (< interval)
                    _guard.notify_all()
        if at_once:
            write_checkpoints(at_once, reason="issue")


def _write_due() -> None:
    """The writer thread: each due checkpoint at its time, read then from the committed state. It stays
    while checkpoints keep coming due (one interval without any ends it), so a process issuing without
    pause keeps one thread and one database connection for them instead of one of each per checkpoint."""
    try:
        while True:
            with _guard:
                idle_until = time.monotonic() + checkpoint_interval()
                while True:
                    now = time.monotonic()
                    ready = sorted(entity_id for entity_id, at in _due.items() if at <= now)
                    if ready:
                        for entity_id in ready:
                            del _due[entity_id]
                            _last_written[entity_id] = now
                        break
                    if not _due and now >= idle_until:
                        _writer.clear()
                        return
                    _guard.wait(min([*_due.values(), idle_until]) - now)
            try:
                write_checkpoints(ready, reason="issue")
            except Exception:
                logger.exception("the checkpoint due for %s could not be written", ", ".join(ready))
                connections.close_all()  # a broken connection is opened again for the next one
    finally:
        connections.close_all()  # this thread's own connection


def flush_checkpoints() -> list[Path]:
    """Write the checkpoints due after recent issues now (before a process stops, in tests)."""
    with _guard:
        due = sorted(_due)
        for entity_id in due:
            del _due[entity_id]
            _last_written[entity_id] = time.monotonic()
        _guard.notify_all()
    return write_checkpoints(due, reason="issue") if due else []


def checkpoint_after_commit(entity: Any) -> None:
    """Schedule a checkpoint of `entity` once the issuing transaction commits (once per transaction)."""
    connection = transaction.get_connection()
    pending = next(
        (cb for _sids, cb, _robust in connection.run_on_commit if isinstance(cb, _AfterIssue)), None
    )
    if pending is None:
        pending = _AfterIssue()
        transaction.on_commit(pending, robust=True)  # a failed write is logged, never undoes the issue
    pending.entity_ids.add(str(entity.pk))


def latest_checkpoints() -> Iterator[tuple[str, Path]]:
    """The newest checkpoint file of each entity folder."""
    root = checkpoint_dir()
    if not root.is_dir():
        return
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        names = sorted(p.name for p in folder.glob("*.json"))
        if names:
            yield folder.name, folder / names[-1]


def verify_checkpoints(keys: KeyRing) -> Iterator[Breach]:
    """Compare the database with the latest checkpoint of each entity."""
    for entity_id, path in latest_checkpoints():
        record = f"checkpoint {entity_id}/{path.name}"
        try:
            document = json.loads(path.read_text())
            body = {name: value for name, value in document.items() if name != "signature"}
            key = keys.get(document["key_id"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            yield Breach("checkpoint-signature", record, _("the checkpoint file is unreadable"))
            continue
        if key is None:
            yield Breach("checkpoint-signature", record,
                         _("signed with an unknown key id %(key_id)r") % {"key_id": document["key_id"]})  # fmt: skip
            continue
        if not same_mac(sign(key, body), str(document.get("signature", ""))):
            yield Breach("checkpoint-signature", record, _("the checkpoint file was altered (bad signature)"))
            continue
        for chain, state in sorted(body.get("chains", {}).items()):
            yield from _check_chain(record, chain, state)


def _check_chain(record: str, chain: str, state: dict[str, Any]) -> Iterator[Breach]:
    if not chain.startswith("audit:"):
        source = chain_source_for(chain)
        if source is None:
            yield Breach("checkpoint-unknown-chain", record,
                         _("it records a chain %(chain)s no installed app knows") % {"chain": chain}, chain)  # fmt: skip
            return
        yield from source.check(record, chain, state)
        return
    length = int(state["length"])
    at_position = AuditEvent.objects.filter(chain_key=chain, position=length).values_list("hash", flat=True)
    current = ChainHead.objects.filter(key=chain).values_list("length", flat=True).first()
    yield from truncation_breaches(record, chain, f"audit chain {chain}", state, current, list(at_position))


def truncation_breaches(record: str, chain: str, name: str, state: dict[str, Any], current: int | None,
                        at_position: list[str]) -> Iterator[Breach]:  # fmt: skip
    """Where a chain now is behind the checkpoint `record` recorded: gone, shorter, or its record at the
    recorded length replaced. `current` is the chain's length now, `at_position` the seals found at the
    recorded length. Shared by every chain source."""
    length, head = int(state["length"]), state["head"]
    if current is None:
        yield Breach("checkpoint-truncation", name, _("the chain is gone, though %(record)s recorded %(length)s records")
                     % {"record": record, "length": length}, chain)  # fmt: skip
    elif current < length:
        yield Breach("checkpoint-truncation", name, _("%(current)s records, fewer than the %(length)s of %(record)s")
                     % {"current": current, "length": length, "record": record}, chain, length)  # fmt: skip
    if length and at_position != [head]:
        yield Breach("checkpoint-truncation", name,
                     _("the record at position %(length)s is not the one sealed in %(record)s (removed or replaced)")
                     % {"length": length, "record": record}, chain, length)  # fmt: skip

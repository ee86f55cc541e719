"""`audit verify`: check the sealed records from the rows themselves, not from what the head rows say.

Four families of checks, each finding named by a stable check id:
- chains: every audit chain (here) and every numbering series' document chain
  (`facturier.invoicing.integrity`) is walked from its rows, whatever head rows exist; each seal is
  recomputed with the key its key id names (HMAC, so a chain recomputed without the key fails), each
  link must point at the record before it, and each chain must have a head that agrees with its last
  record;
- completeness (`facturier.invoicing.completeness`): every numbered document is sealed and in its series,
  numbers run without a hole up to their counter, events cover what happened to documents;
- checkpoints (`facturier.audit.checkpoints`): nothing was removed below the last signed checkpoint
  written outside the database;
- stored files (`facturier.documents.integrity`): the issued files still hold the bytes their rows name.
The apps above the audit layer contribute their checks through `facturier.audit.registry`.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from facturier.audit.keys import KeyRing, keyring
from facturier.audit.models import AuditEvent, ChainHead
from facturier.audit.registry import Check, registered_checks
from facturier.domain.sealing import GENESIS_HASH, same_mac, seal_mac


@dataclass(frozen=True)
class Breach:
    """One finding: which check failed, on which record, and why."""

    check: str
    record: str
    reason: str
    chain: str = ""
    position: int | None = None

    def __str__(self) -> str:
        where = f" (chain {self.chain}, position {self.position})" if self.chain else ""
        return f"[{self.check}] {self.record}{where}: {self.reason}"


def check_seal(keys: KeyRing, key_id: str, previous: str, stored: str, content: object) -> str | None:
    """Why the stored seal is wrong (unknown key, or content changed since sealing), or None."""
    key = keys.get(key_id)
    if key is None:
        return _("sealed with an unknown key id %(key_id)r") % {"key_id": key_id}
    if not same_mac(seal_mac(key, previous, content), stored):
        return _("content was modified after it was sealed (the seal does not match with key %(key_id)s)") % {
            "key_id": key_id
        }
    return None


def link_breach(chain: str, position: int, record: str, expected_position: int, expected_previous: str,
                 previous: str) -> Breach | None:  # fmt: skip
    if position != expected_position:
        return Breach("chain-position", record, _("expected position %(expected)s, found %(found)s")
                      % {"expected": expected_position, "found": position}, chain, expected_position)  # fmt: skip
    if previous != expected_previous:
        return Breach("chain-link", record, _("link to the previous record is broken (removed or reordered)"),
                      chain, position)  # fmt: skip
    return None


def verify_events(keys: KeyRing) -> Iterator[Breach]:
    """Walk every audit chain found in the events or the heads; yield the first breach of each."""
    heads = {head.key: head for head in ChainHead.objects.filter(key__startswith="audit:")}
    chains = set(AuditEvent.objects.order_by().values_list("chain_key", flat=True).distinct()) | set(heads)
    for chain in sorted(chains):
        previous, position = GENESIS_HASH, 0
        for event in (
            AuditEvent.objects.filter(chain_key=chain).order_by("position").iterator(chunk_size=1000)
        ):
            position += 1
            record = f"audit event {event.pk} ({event.action} on {event.object_repr})"
            breach = link_breach(chain, event.position, record, position, previous, event.previous_hash)
            reason = None if breach else check_seal(keys, event.key_id, event.previous_hash, event.hash,
                                                    event.sealed_content())  # fmt: skip
            if breach or reason:
                yield breach or Breach("event-seal", record, reason or "", chain, position)
                break
            previous = event.hash
        else:
            head = heads.get(chain)
            if head is None:
                yield Breach(
                    "chain-head", f"audit chain {chain}", _("its chain head row is missing"), chain, position
                )
            elif (head.length, head.last_hash) != (position, previous):
                yield Breach("chain-head", f"audit chain {chain}",
                             _("the head says %(length)s records, the chain has %(position)s: records are missing "
                               "at the end or the head was altered") % {"length": head.length, "position": position},
                             chain, position)  # fmt: skip


EVENTS_ORDER, CHECKPOINTS_ORDER = 20, 40


def verify_all() -> list[Breach]:
    """Every finding of every check; empty when the database is intact.

    The audit chains and the checkpoints are checked here; the apps above add theirs through
    `facturier.audit.registry` (invoicing: document chains at 10 and completeness at 30; documents:
    stored files at 50).
    """
    from facturier.audit.checkpoints import verify_checkpoints

    keys = keyring()
    own: list[tuple[int, Check]] = [
        (EVENTS_ORDER, lambda: verify_events(keys)),
        (CHECKPOINTS_ORDER, lambda: verify_checkpoints(keys)),
    ]
    ordered = sorted([*own, *registered_checks()], key=lambda item: item[0])
    return [breach for _order, check in ordered for breach in check()]

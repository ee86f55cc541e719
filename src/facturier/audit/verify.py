"""`audit verify`: check the sealed records from the rows themselves, not from what the head rows say.

Four families of checks, each finding named by a stable check id:
- chains (here): every audit chain and every numbering series' document chain is walked from its rows,
  whatever head rows exist; each seal is recomputed with the key its key id names (HMAC, so a chain
  recomputed without the key fails), each link must point at the record before it, and each chain must
  have a head that agrees with its last record;
- completeness (`facturier.audit.completeness`): every numbered document is sealed and in its series,
  numbers run without a hole up to their counter, events cover what happened to documents;
- checkpoints (`facturier.audit.checkpoints`): nothing was removed below the last signed checkpoint
  written outside the database.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from facturier.audit.keys import KeyRing, keyring
from facturier.audit.models import AuditEvent, ChainHead
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


def _link_breach(chain: str, position: int, record: str, expected_position: int, expected_previous: str,
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
            breach = _link_breach(chain, event.position, record, position, previous, event.previous_hash)
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


def verify_documents(keys: KeyRing) -> Iterator[Breach]:
    """Walk every numbering series' document chain (including series whose row is gone)."""
    from facturier.invoicing.models import Document, NumberingSeries
    from facturier.invoicing.sealing import sealed_content

    series_by_id = {series.pk: series for series in NumberingSeries.objects.select_related("entity")}
    sealed = Document.objects.exclude(seal_position=None)
    series_ids = set(sealed.order_by().values_list("series_id", flat=True).distinct()) | set(series_by_id)
    for series_id in sorted(series_ids, key=str):
        series = series_by_id.get(series_id)
        chain = f"{series.entity.name}/{series.code}" if series else f"series {series_id}"
        previous, position = GENESIS_HASH, 0
        documents = (
            sealed.filter(series_id=series_id)
            .order_by("seal_position")
            .prefetch_related("lines", "allowances_charges", "deposits")
        )
        for document in documents.iterator(chunk_size=500):
            position += 1
            record = f"document {document.number} ({document.pk})"
            breach = _link_breach(chain, document.seal_position or 0, record, position, previous,
                                  document.seal_previous_hash)  # fmt: skip
            reason = None if breach else check_seal(keys, document.seal_key_id, document.seal_previous_hash,
                                                    document.seal_hash, sealed_content(document))  # fmt: skip
            if breach or reason:
                yield breach or Breach("document-seal", record, reason or "", chain, position)
                break
            previous = document.seal_hash
        else:
            if series is None:
                continue  # reported by the completeness checks (series-missing)
            if (series.chain_length, series.chain_hash or GENESIS_HASH) != (position, previous):
                yield Breach("chain-head", f"series {chain}",
                             _("the series says %(length)s sealed documents, the chain has %(position)s: documents "
                               "are missing at the end or the series was altered")
                             % {"length": series.chain_length, "position": position}, chain, position)  # fmt: skip


def verify_all() -> list[Breach]:
    """Every finding of every check; empty when the database is intact."""
    from facturier.audit.checkpoints import verify_checkpoints
    from facturier.audit.completeness import verify_completeness
    from facturier.documents.integrity import verify_stored_files  # the issued files' bytes

    keys = keyring()
    return [
        *verify_documents(keys),
        *verify_events(keys),
        *verify_completeness(),
        *verify_checkpoints(keys),
        *verify_stored_files(),
    ]

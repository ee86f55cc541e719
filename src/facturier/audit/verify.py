"""Recompute every hash chain from the rows and report the first record that no longer matches.

Covers the audit events (one chain per entity) and the issued documents (one chain per numbering
series). A record fails when its stored content no longer hashes to its stored hash, when its
previous-hash link does not point at the record before it, or when the chain head disagrees.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from facturier.audit.models import AuditEvent, ChainHead
from facturier.domain.sealing import GENESIS_HASH, chain_hash


@dataclass(frozen=True)
class Breach:
    chain: str
    position: int
    record: str
    reason: str

    def __str__(self) -> str:
        return f"{self.record} (chain {self.chain}, position {self.position}): {self.reason}"


def _check_link(chain: str, position: int, record: str, expected_previous: str, previous: str,
                stored: str, recomputed: str) -> Breach | None:  # fmt: skip
    if previous != expected_previous:
        return Breach(chain, position, record, "link to the previous record is broken (removed or reordered)")
    if stored != recomputed:
        return Breach(chain, position, record, "content was modified after it was sealed")
    return None


def verify_events() -> Iterator[Breach]:
    """Yield the first breach of each audit chain."""
    for head in ChainHead.objects.filter(key__startswith="audit:").order_by("key"):
        previous, position = GENESIS_HASH, 0
        for event in AuditEvent.objects.filter(chain_key=head.key).order_by("position").iterator():
            position += 1
            record = f"audit event {event.pk} ({event.action} on {event.object_repr})"
            if event.position != position:
                yield Breach(
                    head.key, position, record, f"expected position {position}, found {event.position}"
                )
                break
            breach = _check_link(head.key, position, record, previous, event.previous_hash, event.hash,
                                 chain_hash(event.previous_hash, event.sealed_content()))  # fmt: skip
            if breach:
                yield breach
                break
            previous = event.hash
        else:
            if (head.length, head.last_hash) != (position, previous):
                yield Breach(
                    head.key, position, f"chain head {head.key}", "events are missing at the end of the chain"
                )


def verify_documents() -> Iterator[Breach]:
    """Yield the first breach of each numbering series' document chain."""
    from facturier.invoicing.models import Document, NumberingSeries
    from facturier.invoicing.sealing import sealed_content

    for series in NumberingSeries.objects.select_related("entity").order_by("entity__name", "code"):
        chain = f"{series.entity.name}/{series.code}"
        previous, position = GENESIS_HASH, 0
        documents = (
            Document.objects.filter(series=series, seal_position__isnull=False)
            .order_by("seal_position")
            .prefetch_related("lines", "allowances_charges", "deposits")
        )
        for document in documents.iterator(chunk_size=500):
            position += 1
            record = f"document {document.number} ({document.pk})"
            if document.seal_position != position:
                yield Breach(
                    chain, position, record, f"expected position {position}, found {document.seal_position}"
                )
                break
            breach = _check_link(chain, position, record, previous, document.seal_previous_hash, document.seal_hash,
                                 chain_hash(document.seal_previous_hash, sealed_content(document)))  # fmt: skip
            if breach:
                yield breach
                break
            previous = document.seal_hash
        else:
            if (series.chain_length, series.chain_hash or GENESIS_HASH) != (position, previous):
                yield Breach(
                    chain, position, f"series {chain}", "sealed documents are missing at the end of the chain"
                )


def verify_all() -> list[Breach]:
    from facturier.documents.integrity import verify_stored_files  # the issued files' bytes

    return [*verify_documents(), *verify_events(), *verify_stored_files()]

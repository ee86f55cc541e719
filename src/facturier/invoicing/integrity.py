"""What `audit verify` and the checkpoints check of invoicing, registered in `InvoicingConfig.ready`.

The audit layer cannot import invoicing (it sits below it); these contributions go through
`facturier.audit.registry`: the walk of every numbering series' document chain, the completeness checks
(`facturier.invoicing.completeness`) and the series chains a checkpoint records and compares.
"""

import uuid
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from facturier.audit.checkpoints import truncation_breaches
from facturier.audit.keys import KeyRing, keyring
from facturier.audit.registry import ChainSource, register_chain_source, register_check
from facturier.audit.verify import Breach, check_seal, link_breach
from facturier.domain.sealing import GENESIS_HASH
from facturier.invoicing.models import Document, NumberingSeries, SequenceCounter
from facturier.invoicing.sealing import sealed_content

SERIES_PREFIX = "series:"
DOCUMENTS_ORDER, COMPLETENESS_ORDER = 10, 30


def verify_documents(keys: KeyRing) -> Iterator[Breach]:
    """Walk every numbering series' document chain (including series whose row is gone)."""
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
            breach = link_breach(chain, document.seal_position or 0, record, position, previous,
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


def series_chains(entity_id: str) -> dict[str, Any]:
    """The document chain and counters of each numbering series of one entity, for a checkpoint."""
    chains: dict[str, Any] = {}
    all_series = NumberingSeries.objects.filter(entity_id=uuid.UUID(entity_id))
    for series in all_series.prefetch_related("counters"):
        chains[f"{SERIES_PREFIX}{series.pk}"] = {
            "code": series.code,
            "length": series.chain_length,
            "head": series.chain_hash or GENESIS_HASH,
            "counters": {counter.period: counter.last_value for counter in series.counters.all()},
        }
    return chains


def check_series_chain(record: str, chain: str, state: dict[str, Any]) -> Iterator[Breach]:
    """One series recorded by a checkpoint: its counters and its chain are not behind it."""
    length = int(state["length"])
    series_id = uuid.UUID(chain.removeprefix(SERIES_PREFIX))
    at_position = Document.objects.filter(series_id=series_id, seal_position=length).values_list("seal_hash", flat=True)  # fmt: skip
    current = NumberingSeries.objects.filter(pk=series_id).values_list("chain_length", flat=True).first()
    for period, value in sorted(state.get("counters", {}).items()):
        now = SequenceCounter.objects.filter(series_id=series_id, period=period).values_list("last_value", flat=True).first()  # fmt: skip
        if now is None or now < value:
            yield Breach("checkpoint-truncation", f"series {state.get('code', series_id)} {period}",
                         _("its counter is at %(now)s, below the %(value)s of %(record)s")
                         % {"now": now, "value": value, "record": record}, chain)  # fmt: skip
    name = f"series {state.get('code', chain)} ({chain})"
    yield from truncation_breaches(record, chain, name, state, current, list(at_position))


def register() -> None:
    """Called by `InvoicingConfig.ready`."""
    from facturier.invoicing.completeness import verify_completeness

    register_check("invoicing-documents", lambda: verify_documents(keyring()), order=DOCUMENTS_ORDER)
    register_check("invoicing-completeness", verify_completeness, order=COMPLETENESS_ORDER)
    register_chain_source(ChainSource(prefix=SERIES_PREFIX, chains=series_chains, check=check_series_chain))

"""What `audit verify` and the checkpoints cover beyond the audit chains, contributed by the apps above.

The audit layer sits under the apps whose records it watches (invoicing's document chains and numbering,
documents' stored files), so it cannot import them. Each of those apps registers, in its
``AppConfig.ready``, what it adds:
- a *check*: a callable yielding ``Breach`` findings, run by ``verify_all`` in ``order``;
- a *chain source*: the chains of one legal entity a checkpoint records (keys under its ``prefix``),
  and how to compare one recorded chain with the database;
- the *entity lister*: which legal entities `write_checkpoints` covers by default (accounts).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from facturier.audit.verify import Breach

Check = Callable[[], Iterable["Breach"]]


@dataclass(frozen=True)
class ChainSource:
    """Chains a checkpoint records for one entity: keys starting with ``prefix``."""

    prefix: str
    chains: Callable[[str], dict[str, Any]]
    """entity id -> {chain key: recorded state} (never called for the global chain)."""
    check: Callable[[str, str, dict[str, Any]], Iterator[Breach]]
    """(checkpoint record, chain key, recorded state) -> findings where the database fell behind."""


_checks: dict[str, tuple[int, Check]] = {}
_chain_sources: dict[str, ChainSource] = {}
_entity_lister: list[Callable[[], Iterable[Any]]] = []


def register_check(name: str, check: Check, *, order: int) -> None:
    """Add (or replace, by name: ``ready`` may run twice) a check run by ``verify_all``."""
    _checks[name] = (order, check)


def registered_checks() -> list[tuple[int, Check]]:
    """The registered checks with their order (``verify_all`` merges them with the audit chains' own)."""
    return list(_checks.values())


def register_chain_source(source: ChainSource) -> None:
    _chain_sources[source.prefix] = source


def chain_sources() -> list[ChainSource]:
    return [_chain_sources[prefix] for prefix in sorted(_chain_sources)]


def chain_source_for(chain: str) -> ChainSource | None:
    return next((s for s in _chain_sources.values() if chain.startswith(s.prefix)), None)


def register_entity_lister(lister: Callable[[], Iterable[Any]]) -> None:
    """Which entities a checkpoint covers by default (the accounts app: every legal entity)."""
    _entity_lister[:] = [lister]


def checkpointed_entities() -> list[str]:
    return [str(pk) for lister in _entity_lister for pk in lister()]

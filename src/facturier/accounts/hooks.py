"""What the apps above accounts add to a new legal entity (accounts must not import them).

``entity_create`` calls ``set_up_entity`` inside its transaction, before the creation is audited; each
registered step sets up what every legal entity needs (invoicing: its default numbering series), and an
exception in one rolls the creation back. Apps register their step in ``AppConfig.ready`` (a plain
registry, not a Django signal: DESIGN.md keeps signals out of business logic).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from facturier.accounts.models import LegalEntity

EntitySetup = Callable[["LegalEntity"], object]

_setup: dict[str, EntitySetup] = {}


def register_entity_setup(name: str, step: EntitySetup) -> None:
    """Add (or replace, by name: ``ready`` may run twice) a step run for every new legal entity."""
    _setup[name] = step


def set_up_entity(entity: LegalEntity) -> None:
    for step in _setup.values():  # in registration order: the order of INSTALLED_APPS
        step(entity)

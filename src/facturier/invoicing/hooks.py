"""What issuing hands to the apps above invoicing, which it must not import (the layers contract).

Issuing serializes and validates the XML, then gives it to the *issued-files keeper* to store before
the seal (the seal covers the stored hashes) and asks it to queue the PDF once the issue commits. The
documents app registers the keeper in ``DocumentsConfig.ready``; issuing without one is a configuration
error, never a silently unstored invoice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from facturier.invoicing.models import Document


@dataclass(frozen=True)
class IssuedFilesKeeper:
    store: Callable[..., object]
    """store(document=, files={kind: bytes}, validated={kind}): inside the issuing transaction."""
    schedule_pdf: Callable[[Document], None]
    """Queue the Factur-X PDF once the issuing transaction commits."""
    store_many: Callable[..., Sequence[object]] | None = None
    """store_many(batch=[(document, files, validated)]): ``store`` for several documents issued in one
    transaction, one insert for all; returns each document's rows. None: ``store`` is called per document."""
    file_rows: Callable[..., Sequence[Any]] | None = None
    """file_rows(document=, files=, validated=): what ``store`` does but the insert: the bytes written, the
    rows returned unsaved (model instances) for issuing to insert with its other writes. None: ``store``."""


_keeper: list[IssuedFilesKeeper] = []


def register_issued_files_keeper(keeper: IssuedFilesKeeper) -> None:
    _keeper[:] = [keeper]


def issued_files_keeper() -> IssuedFilesKeeper:
    if not _keeper:
        raise ImproperlyConfigured("No issued-files keeper: is facturier.documents in INSTALLED_APPS?")
    return _keeper[0]

"""The branding printed on a document: today's for a draft, the one snapshotted at issue otherwise.

Branding is the logo, the colour and the footer text. The colour and the footer are in the seller
snapshot taken at issue (with the legal identity and the mentions the entity configured: late
penalties, early-payment discount); the logo is stored as a file (below).

At issue the logo's bytes are stored once per content (``<entity>/logos/logo-<sha256>.<ext>``, shared
by every document issued with it) and a ``logo`` row links each document to them, sealed with its XML:
a logo replaced or removed later never changes an issued invoice's PDF.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath

from facturier.accounts.models import LegalEntity
from facturier.documents.formatting import is_hex_colour
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.stored import read_stored
from facturier.invoicing.models import Document, Kind

logger = logging.getLogger(__name__)

DEFAULT_COLOUR = "#1f4e79"
LOGO_TYPES = {".png": "png", ".jpg": "jpg", ".jpeg": "jpg", ".gif": "gif", ".svg": "svg"}
MAX_LOGO_BYTES = 2 * 1024 * 1024


def entity_logo(entity: LegalEntity) -> tuple[bytes, str] | None:
    """(bytes, Typst image format) of the company's current logo, or None (none, unreadable, too big)."""
    logo = entity.logo
    if not logo:
        return None
    extension = LOGO_TYPES.get(PurePath(logo.name or "").suffix.lower())
    if extension is None:
        return None
    try:
        with logo.open("rb") as handle:
            data = handle.read(MAX_LOGO_BYTES + 1)
    except OSError:
        logger.warning("logo of %s unreadable; rendering without it", entity.pk)
        return None
    if len(data) > MAX_LOGO_BYTES:
        return None
    return data, extension


def document_logo(document: Document, *, stored: Mapping[str, str] | None = None) -> tuple[bytes, str] | None:
    """The logo to print: the snapshot of an issued document (none if it had none), else the live one.

    Documents issued before files were stored have no snapshot at all: they print today's logo. One
    query tells both whether the document's files were stored at issue (its CII is) and its logo;
    ``stored`` (kind -> storage name of the document's stored CII and logo) when the caller already
    read them (``issued.ensure_pdf``).
    """
    if document.kind == Kind.INVOICE and document.is_sealed:
        names = stored if stored is not None else stored_names(document)
        if FileKind.CII in names:
            name = names.get(FileKind.LOGO)
            return None if name is None else (_stored_logo(name), PurePath(name).suffix.lstrip("."))
    return entity_logo(document.entity)


def stored_names(document: Document) -> dict[str, str]:
    """Kind -> storage name of the document's stored CII and logo (one query)."""
    rows = StoredFile.objects.filter(document=document, kind__in=(FileKind.CII, FileKind.LOGO))
    return dict(rows.values_list("kind", "name"))


_LOGO_CACHE_SIZE = 32
_logos: OrderedDict[str, bytes] = OrderedDict()
_logos_lock = threading.Lock()


def _stored_logo(name: str) -> bytes:
    """The bytes of a stored logo. Its name is made of its SHA-256 and stored files are write-once, so
    the bytes read once stay right; the logos last read are kept (every invoice of a company prints the
    same one)."""
    with _logos_lock:
        data = _logos.get(name)
        if data is not None:
            _logos.move_to_end(name)
            return data
    data = read_stored(name)
    with _logos_lock:
        _logos[name] = data
        while len(_logos) > _LOGO_CACHE_SIZE:
            _logos.popitem(last=False)
    return data


@dataclass(frozen=True)
class Branding:
    """What a document looks like, apart from its content: colour, footer text, logo (bytes, format)."""

    colour: str
    footer: str
    logo: tuple[bytes, str] | None


def document_branding(document: Document, *, stored: Mapping[str, str] | None = None) -> Branding:
    """The branding of an issued document as it was at issue; a draft, quote or order gets today's.

    Only a document issued before the branding was snapshotted falls back to today's values.
    ``stored``: as for ``document_logo``.
    """
    snapshot = document.seller_snapshot or {}
    entity = document.entity
    colour = str(snapshot.get("brand_color", entity.brand_color) or "")
    return Branding(
        colour=colour if is_hex_colour(colour) else DEFAULT_COLOUR,
        footer=str(snapshot.get("footer_text", entity.footer_text) or ""),
        logo=document_logo(document, stored=stored),
    )

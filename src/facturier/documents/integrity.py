"""`facturier audit verify`: the stored files still hold the bytes their rows (and seals) name.

The XML hashes are inside each document's seal, so a row edited to match a modified file breaks the
document chain; this check catches the file itself changed, truncated or deleted, and a Factur-X PDF
whose embedded XML is not the sealed CII.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from uuid import UUID

from facturier.audit.verify import Breach
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.stored import issued_storage
from facturier.domain.facturx import FacturXError, extract_invoice_xml

CHECK = "stored-file"


def _digest(name: str) -> tuple[str, int] | None:
    storage = issued_storage()
    if not storage.exists(name):
        return None
    sha, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size


def _embedded_xml_breach(stored: StoredFile, cii_hashes: dict[UUID, str]) -> str | None:
    sealed = cii_hashes.get(stored.document_id)
    if sealed is None:
        return None
    with issued_storage().open(stored.name, "rb") as handle:
        pdf = handle.read()
    try:
        _name, xml = extract_invoice_xml(pdf)
    except FacturXError:
        return "its Factur-X XML cannot be read"
    if hashlib.sha256(xml).hexdigest() != sealed:
        return "the XML inside the PDF is not the CII stored and sealed at issue"
    return None


def verify_stored_files() -> Iterator[Breach]:
    """Yield one breach per stored file whose bytes are missing or differ from its recorded hash."""
    rows = StoredFile.objects.select_related("document").order_by("created_at", "name")
    cii_hashes = dict(StoredFile.objects.filter(kind=FileKind.CII).values_list("document_id", "sha256"))
    digests: dict[str, tuple[str, int] | None] = {}
    for stored in rows.iterator(chunk_size=500):
        record = f"{stored.get_kind_display()} of {stored.document.number} ({stored.name})"
        if stored.name not in digests:  # a logo's file is shared: hashed once
            digests[stored.name] = _digest(stored.name)
        found = digests[stored.name]
        if found is None:
            yield Breach(CHECK, record, "the file is missing")
        elif found != (stored.sha256, stored.size):
            yield Breach(CHECK, record, f"expected SHA-256 {stored.sha256}, found {found[0]}")
        elif stored.kind == FileKind.FACTURX and (problem := _embedded_xml_breach(stored, cii_hashes)):
            yield Breach(CHECK, record, problem)

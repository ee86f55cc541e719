"""Write and read issued files through the `issued` storage (Django's storage API: disk or S3).

Names are ``<entity>/<document>/<kind>-<sha256 prefix>.<ext>``: the content decides the name, so a
retried task that writes the same bytes finds them already there, and different bytes never replace
existing ones (write-once).
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import IntegrityError, transaction

from facturier.documents.models import FileKind, StoredFile
from facturier.invoicing.models import Document

EXTENSIONS = {
    FileKind.CII: "cii.xml",
    FileKind.UBL: "ubl.xml",
    FileKind.PEPPOL: "peppol.xml",
    FileKind.FACTURX: "pdf",
    FileKind.LOGO: "",
}
CONTENT_TYPES = {
    FileKind.CII: "application/xml",
    FileKind.UBL: "application/xml",
    FileKind.PEPPOL: "application/xml",
    FileKind.FACTURX: "application/pdf",
}


class StoredFileConflict(Exception):
    """Other bytes already stand under a name: the storage is write-once, nothing is replaced."""


def issued_storage() -> Storage:
    return storages["issued"]


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _write_once(name: str, content: bytes, digest: str) -> None:
    storage = issued_storage()
    if storage.exists(name):
        with storage.open(name, "rb") as handle:
            existing = handle.read()
        if existing == content:
            return
        if sha256_of(existing).startswith(digest[:16]) or StoredFile.objects.filter(name=name).exists():
            raise StoredFileConflict(f"{name} already holds other bytes; stored files are write-once")
        # Bytes that do not hash to their own name and that no row names: the partial write of a worker
        # killed mid-save on a local disk. They were never stored; the complete file replaces them.
        storage.delete(name)
    saved = storage.save(name, ContentFile(content))
    if saved != name:  # a concurrent writer took the name between exists() and save()
        storage.delete(saved)


def file_name(document: Document, kind: FileKind, digest: str, extension: str = "") -> str:
    """Where the bytes of that SHA-256 are stored: named by the content (``store_file``)."""
    if kind == FileKind.LOGO:
        return f"{document.entity_id}/logos/logo-{digest[:16]}.{extension}"
    return f"{document.entity_id}/{document.pk}/{kind.value}-{digest[:16]}.{EXTENSIONS[kind]}"


def write_content(document: Document, kind: FileKind, content: bytes, extension: str = "") -> StoredFile:
    """Write the bytes (write-once) and return their row, unsaved: for a caller that inserts several at once."""
    digest = sha256_of(content)
    name = file_name(document, kind, digest, extension)
    _write_once(name, content, digest)
    return StoredFile(entity_id=document.entity_id, document=document, kind=kind, name=name, size=len(content),
                      sha256=digest)  # fmt: skip


def store_file(
    *, document: Document, kind: FileKind, content: bytes, validated: bool = False, extension: str = ""
) -> StoredFile:
    """Store the bytes and their row; idempotent for the same (document, kind) and bytes.

    A logo is named by its content alone (``extension``: its image format), shared across documents.
    """
    digest = sha256_of(content)
    name = file_name(document, kind, digest, extension)
    _write_once(name, content, digest)
    existing = StoredFile.objects.filter(document=document, kind=kind).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise StoredFileConflict(f"{document} already has its {kind.label} ({existing.name})")
        return existing
    try:
        with transaction.atomic():
            return StoredFile.objects.create(
                entity_id=document.entity_id, document=document, kind=kind, name=name,
                size=len(content), sha256=digest, validated=validated,
            )  # fmt: skip
    except IntegrityError:  # another worker stored it first: theirs stands
        return StoredFile.objects.get(document=document, kind=kind)


def read_file(stored: StoredFile) -> bytes:
    return read_stored(stored.name)


def read_stored(name: str) -> bytes:
    """The bytes stored under that name."""
    with issued_storage().open(name, "rb") as handle:
        data: bytes = handle.read()
    return data


def stored_file(document: Document, kind: FileKind) -> StoredFile | None:
    return StoredFile.objects.filter(document=document, kind=kind).first()


def stored_bytes(document: Document, kind: FileKind) -> bytes | None:
    """The bytes the document was issued as in that kind, or None if none were stored."""
    stored = stored_file(document, kind)
    return None if stored is None else read_file(stored)


def stored_at_issue(document: Document) -> bool:
    """Whether the document's files were stored when it was issued (its CII is always among them);
    documents issued before files were stored have none, or only a PDF rendered afterwards."""
    return StoredFile.objects.filter(document=document, kind=FileKind.CII).exists()

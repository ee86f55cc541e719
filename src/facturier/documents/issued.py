"""The files of an issued invoice or credit note: stored at issue, the PDF rendered once afterwards.

Issuing (``invoicing.services.issuing``) hands over the XML it validated; it is stored before the
seal, which then covers its hash. The Factur-X PDF embeds the stored CII byte for byte; it is rendered
by a task queued on commit (``documents.tasks``), by the sweeper for any a lost task left missing, or by
the first download that finds it missing (rendered there and stored, so nobody waits on a file that
never comes and every later reader gets these same bytes).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction

from facturier.documents.branding import entity_logo
from facturier.documents.models import FileKind, StoredFile
from facturier.documents.stored import read_file, store_file, stored_file, write_content
from facturier.invoicing.models import Document, Kind

logger = logging.getLogger(__name__)


def has_issued_files(document: Document) -> bool:
    """Issued invoices and credit notes are kept as files; quotes, orders and drafts are not."""
    return document.kind == Kind.INVOICE and document.is_sealed


def store_issued_files(
    *, document: Document, files: dict[str, bytes], validated: set[str]
) -> list[StoredFile]:
    """Inside the issuing transaction, before the seal: the XML exactly as validated, and the logo the
    PDF will print (the colours and footer are in the seller snapshot).

    The document is being issued in this transaction (its row locked, no file stored yet), so its rows
    are inserted at once, in one statement: a row already there is a unique-constraint error that rolls
    the issue back, never a silently kept other file.
    """
    return store_issued_files_many(batch=[(document, files, validated)])[0]


def store_issued_files_many(
    *, batch: Sequence[tuple[Document, dict[str, bytes], set[str]]]
) -> list[list[StoredFile]]:
    """``store_issued_files`` for several documents being issued in one transaction (``batch``:
    document, files, validated kinds): each one's rows as ``store_issued_files`` makes them, all
    inserted by one statement; the logo of each entity is read once."""
    per_document = issued_file_rows_many(batch=batch)
    StoredFile.objects.bulk_create([row for rows in per_document for row in rows])
    return per_document


def issued_file_rows(*, document: Document, files: dict[str, bytes], validated: set[str]) -> list[StoredFile]:
    """``store_issued_files`` without the insert: the bytes written, the rows returned unsaved for the
    issuing transaction to insert (with the document's other writes, in one statement)."""
    return issued_file_rows_many(batch=[(document, files, validated)])[0]


def issued_file_rows_many(
    *, batch: Sequence[tuple[Document, dict[str, bytes], set[str]]]
) -> list[list[StoredFile]]:
    """The bytes of each document of ``batch`` written, its rows returned unsaved (``store_issued_files_many``)."""
    logos: dict[object, tuple[bytes, str] | None] = {}
    per_document: list[list[StoredFile]] = []
    for document, files, validated in batch:
        rows = [write_content(document, FileKind(kind), content) for kind, content in sorted(files.items())]
        for row in rows:
            row.validated = row.kind in validated
        if document.entity_id not in logos:
            logos[document.entity_id] = entity_logo(document.entity)
        logo = logos[document.entity_id]
        if logo is not None:
            rows.append(write_content(document, FileKind.LOGO, logo[0], extension=logo[1]))
        per_document.append(rows)
    return per_document


def schedule_pdf(document: Document) -> None:
    """Queue the Factur-X rendering once the issue is committed (never for a rolled-back issue)."""
    from facturier.documents.tasks import render_issued_pdf

    document_id = str(document.pk)
    transaction.on_commit(lambda: render_issued_pdf.enqueue(document_id))


def issued_cii(document: Document) -> bytes:
    """The CII stored at issue; a document issued before files were stored gets its XML serialized."""
    return _cii(document, stored_file(document, FileKind.CII))


def _cii(document: Document, stored: StoredFile | None) -> bytes:
    if stored is not None:
        return read_file(stored)
    from facturier.documents.render import facturx_profile
    from facturier.domain.formats.outgoing import invoice_xml
    from facturier.invoicing.to_en16931 import document_to_en16931

    return invoice_xml(document_to_en16931(document), syntax="cii", profile=facturx_profile(document))


_RENDERING_KINDS = (FileKind.FACTURX, FileKind.CII, FileKind.LOGO)


def _stored_rows(document: Document) -> dict[str, StoredFile]:
    """The document's stored PDF, CII and logo rows by kind, in one query (rendering needs all three:
    whether the PDF exists, the CII to embed and print, the logo snapshotted at issue)."""
    return {row.kind: row for row in StoredFile.objects.filter(document=document, kind__in=_RENDERING_KINDS)}


def render_issued_pdf(document: Document, rows: dict[str, StoredFile] | None = None) -> bytes:
    """The Factur-X PDF of an issued document from its stored files (``rows``: ``_stored_rows``), not stored.

    The PDF embeds the stored CII byte for byte and prints what it says (``render.render_pdf``), with
    the logo stored at issue: the rows read once serve the CII, the branding and the existence check.
    """
    from facturier.documents.branding import document_branding
    from facturier.documents.render import render_pdf

    rows = _stored_rows(document) if rows is None else rows
    names = {kind: row.name for kind, row in rows.items() if kind in (FileKind.CII, FileKind.LOGO)}
    branding = document_branding(document, stored=names)
    return render_pdf(document, xml=_cii(document, rows.get(FileKind.CII)), branding=branding)


def ensure_pdf(document: Document) -> StoredFile:
    """The stored Factur-X PDF of an issued document, rendered and stored first if missing (idempotent).

    The PDF embeds the CII stored at issue and prints what that CII says, with the branding
    snapshotted at issue: rendered now or again after a lost file, it is the same document.
    """
    rows = _stored_rows(document)
    existing = rows.get(FileKind.FACTURX)
    if existing is not None:
        return existing
    pdf = render_issued_pdf(document, rows)
    stored = store_file(document=document, kind=FileKind.FACTURX, content=pdf)
    logger.info("stored the Factur-X PDF of %s (%s)", document.number, stored.name)
    return stored

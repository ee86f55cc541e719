"""Re-queue what the database says is missing: issued documents without their Factur-X PDF.

A task lost with a killed worker (or never enqueued because the process died right after the commit)
only delays a PDF: the sweeper finds the document by its missing file and queues it again; rendering is
idempotent, so a PDF is stored exactly once even if the lost task comes back.
"""

from django.db.models import Exists, OuterRef, QuerySet

from facturier.documents.models import FileKind, StoredFile
from facturier.invoicing.models import Document, Kind


def documents_missing_pdf() -> QuerySet[Document]:
    has_pdf = StoredFile.objects.filter(document=OuterRef("pk"), kind=FileKind.FACTURX)
    return (
        Document.objects.filter(kind=Kind.INVOICE)
        .exclude(seal_hash="")
        .exclude(Exists(has_pdf))
        .order_by("issued_at", "pk")
    )


def render_missing_pdfs(*, inline: bool = False, limit: int | None = None) -> int:
    """Queue (or, ``inline``, render here) the PDF of every issued document lacking one; returns how many."""
    from facturier.documents.issued import ensure_pdf
    from facturier.documents.tasks import render_issued_pdf

    documents = documents_missing_pdf().select_related("entity", "customer")
    if limit is not None:
        documents = documents[:limit]
    count = 0
    for document in documents.iterator(chunk_size=200):
        if inline:
            ensure_pdf(document)
        else:
            render_issued_pdf.enqueue(str(document.pk))
        count += 1
    return count
